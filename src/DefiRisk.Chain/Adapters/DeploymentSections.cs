using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Core;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Adapters;

/// <summary>One family's section of a deployments manifest, as its adapter parsed it (the record lives in the family's folder).</summary>
public interface IDeploymentSection
{
    /// <summary>The manifest key it is written under (its adapter's <see cref="IChainAdapter.Key"/>).</summary>
    string Key { get; }

    /// <summary>The section as it is written in the manifest.</summary>
    JsonNode ToJson();
}

/// <summary>A manifest's parsed sections (the deployments manifest implements it); families add typed accessors on it.</summary>
public interface IDeploymentSections
{
    /// <summary>The sections in file order.</summary>
    IReadOnlyList<IDeploymentSection> Sections { get; }
}

public static class DeploymentSectionsExtensions
{
    /// <summary>The section of type <typeparamref name="T"/>; null when the manifest has none.</summary>
    public static T? Section<T>(this IDeploymentSections manifest) where T : class, IDeploymentSection =>
        manifest.Sections.OfType<T>().FirstOrDefault();

    /// <summary>The section written under <paramref name="key"/>; null when the manifest has none.</summary>
    public static IDeploymentSection? Section(this IDeploymentSections manifest, string key) =>
        manifest.Sections.FirstOrDefault(s => s.Key == key);
}

/// <summary>
/// The JSON conventions of manifest sections (unknown properties refused, nulls not written) and their one-line errors:
/// "malformed deployments file SOURCE: …", naming the key path.
/// </summary>
public static class DeploymentSectionJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Deserializes a section (or an element of it); a JSON problem is one line naming <paramref name="key"/>.</summary>
    public static T Deserialize<T>(JsonNode node, string key, string source)
    {
        try
        {
            return node.Deserialize<T>(Options) ?? throw Malformed(source, $"{key} is empty");
        }
        catch (JsonException ex)
        {
            // The line numbers STJ gives are the section's, not the file's: keep the key path only.
            var message = ex.Message.Split('\n')[0].Trim();
            var at = message.IndexOf(" | LineNumber:", StringComparison.Ordinal);
            if (at >= 0) message = message[..at];
            throw Malformed(source, message.Contains("Path: $", StringComparison.Ordinal)
                ? message.Replace("Path: $", $"Path: $['{key}']", StringComparison.Ordinal)
                : $"{key}: {message}");
        }
    }

    public static JsonNode Serialize<T>(T value) => JsonSerializer.SerializeToNode(value, Options)!;

    /// <summary>Serialized without the named list keys when they are empty: an option added later leaves older manifests' bytes as they were.</summary>
    public static JsonNode Serialize<T>(T value, params string[] omitWhenEmpty)
    {
        var node = Serialize(value);
        foreach (var key in omitWhenEmpty)
            if (node[key] is JsonArray { Count: 0 }) node.AsObject().Remove(key);
        return node;
    }

    /// <summary>Refuses a value that is not an address: "KEY.PATH 'value' is not an address".</summary>
    public static void RequireAddress(string? value, string keyPath, string source)
    {
        if (!Address.TryParse(value, out _))
            throw Malformed(source, $"{keyPath} '{value}' is not an address");
    }

    public static DefiRiskException Malformed(string source, string message) => new($"malformed deployments file {source}: {message}");
}
