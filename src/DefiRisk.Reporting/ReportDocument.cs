namespace DefiRisk.Reporting.Document;

/// <summary>
/// A run of report text: our own words and numbers, or a string read from the chain (symbols, market names). The split
/// is what lets each writer escape on-chain text with <see cref="Escape"/> and nothing else is ever raw: the HTML writer
/// escapes every segment, the Markdown writer escapes on-chain segments fully and our own text for table safety only.
/// Build with a string (own text, implicit) and <see cref="Chain"/>, joined with <c>+</c>.
/// </summary>
public sealed class Text
{
    public readonly record struct Segment(string Value, bool OnChain);

    public IReadOnlyList<Segment> Segments { get; }

    private Text(IReadOnlyList<Segment> segments) => Segments = segments;

    public static implicit operator Text(string own) => new([new Segment(own, false)]);

    /// <summary>An untrusted on-chain string.</summary>
    public static Text Chain(string? onChain) => new([new Segment(onChain ?? "", true)]);

    public static Text operator +(Text a, Text b) => new([.. a.Segments, .. b.Segments]);

    public static Text Join(string separator, IEnumerable<Text> parts)
    {
        var list = new List<Segment>();
        foreach (var p in parts)
        {
            if (list.Count > 0) list.Add(new Segment(separator, false));
            list.AddRange(p.Segments);
        }
        return new(list);
    }

    /// <summary>Unescaped text, for tests and lengths only — never for output.</summary>
    public string Plain => string.Concat(Segments.Select(s => s.Value));
}

/// <summary>One block of a report; the writers render each kind.</summary>
public abstract record Block;

/// <summary>A section heading (level 2) with an anchor id, or a sub-heading (level 3).</summary>
public sealed record Heading(int Level, Text Title, string? Id = null) : Block;

public sealed record Paragraph(Text Content) : Block;

/// <summary>A muted note, e.g. "not run" or what a diagram left out.</summary>
public sealed record Note(Text Content) : Block;

public sealed record BulletList(IReadOnlyList<Text> Items) : Block;

/// <summary>Headline numbers shown as tiles in HTML, a two-column table in Markdown.</summary>
public sealed record KeyFigures(IReadOnlyList<(Text Label, Text Value)> Items) : Block;

/// <summary><see cref="Numeric"/>[i]: column i is right-aligned.</summary>
public sealed record Table(Text Caption, IReadOnlyList<Text> Headers, IReadOnlyList<bool> Numeric, IReadOnlyList<IReadOnlyList<Text>> Rows) : Block;

/// <summary>An inline SVG (built by <see cref="Charts.SvgChart"/> / <see cref="Charts.ChainDiagram"/>, text inside already escaped) and its caption.</summary>
public sealed record Figure(string Svg, Text Caption) : Block;

/// <summary>Two blocks next to each other in HTML (a chart and its table), one after the other in Markdown.</summary>
public sealed record SideBySide(Block Left, Block Right) : Block;

/// <summary>Starts a section (HTML &lt;section id=…&gt;); sections do not nest.</summary>
public sealed record SectionStart(string Id) : Block;

public sealed record ReportDocument(Text Title, Text Subtitle, IReadOnlyList<Block> Blocks, Text Footer);
