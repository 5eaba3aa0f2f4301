using SkiaSharp;
using Svg.Skia;

namespace DefiRisk.Reporting.Charts;

/// <summary>
/// The report's SVG charts as PNG images, for the Markdown post (forums take images, not inline SVG): the same SVG the
/// HTML report inlines, rasterised by Svg.Skia at twice its size on a white background, so both carry the same chart.
/// </summary>
public static class PngChart
{
    public static byte[] FromSvg(string svg, float scale = 2f)
    {
        using var doc = new SKSvg();
        using var picture = doc.FromSvg(svg) ?? throw new InvalidOperationException("the chart's SVG could not be read");
        var bounds = picture.CullRect;
        var width = Math.Max(1, (int)Math.Ceiling(bounds.Width * scale));
        var height = Math.Max(1, (int)Math.Ceiling(bounds.Height * scale));
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            canvas.Scale(scale);
            canvas.DrawPicture(picture);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
