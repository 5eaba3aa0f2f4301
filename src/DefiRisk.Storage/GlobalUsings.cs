// The storage-part seam every part and the store share.
global using DefiRisk.Storage.Books;
