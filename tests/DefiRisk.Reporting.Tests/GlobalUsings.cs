// What this project's tests use beyond the shared usings (tests/Shared/GlobalUsings.cs).
global using DefiRisk.Reporting.Registry;
global using DefiRisk.Core.Breakers;
global using DefiRisk.Reporting.Document;
