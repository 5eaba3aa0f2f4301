// The document model, formatting and the report-part seam, used by every writer and part.
global using DefiRisk.Reporting.Document;
