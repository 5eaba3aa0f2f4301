// What this project's tests use beyond the shared usings (tests/Shared/GlobalUsings.cs).
global using DefiRisk.Storage.Books;
