namespace DefiRisk.Core.Domain;

/// <summary>
/// Asset names a reviewer can type, unique per snapshot, and safe against look-alike tokens. Anyone can deploy an ERC-20
/// whose <c>symbol()</c> is "USDC", and with every market indexed such a token lands in the snapshot beside the real one.
/// So the indexer names assets once, when it builds the snapshot (the name is what <see cref="Asset.Symbol"/> holds and
/// storage keeps): an asset whose symbol no other asset shares keeps it; on a clash (case-insensitive), the one asset of
/// the configured deployments (an Aave reserve, a token of a configured Morpho market) keeps the bare symbol and every
/// other is shown as <c>SYMBOL·0x1234ab</c> (the first 6 hex digits of its address; the whole address if even that
/// clashes). When no listed asset, or more than one, holds the symbol, none keeps it bare.
/// <para>
/// Resolution (<see cref="Find"/>) takes a display name (case-insensitive) or an address. A bare symbol that only
/// suffixed assets carry is ambiguous: refused, listing the candidates, never resolved to one of them.
/// </para>
/// </summary>
public static class AssetNames
{
    /// <summary>Between a clashing symbol and its address prefix.</summary>
    public const char Separator = '·';

    /// <summary>
    /// The assets with <see cref="Asset.Symbol"/> replaced by their display names, in the same order.
    /// <paramref name="listed"/>: the addresses of the configured deployments' assets.
    /// </summary>
    public static IReadOnlyList<Asset> Assign(IReadOnlyList<Asset> assets, IReadOnlySet<Address> listed)
    {
        var names = new string[assets.Count];
        foreach (var clash in Enumerable.Range(0, assets.Count).GroupBy(i => assets[i].Symbol, StringComparer.OrdinalIgnoreCase))
        {
            var members = clash.ToList();
            var keeper = members.Count == 1 ? members[0]
                : members.Count(i => listed.Contains(assets[i].Address)) == 1 ? members.Single(i => listed.Contains(assets[i].Address))
                : -1;
            foreach (var i in members)
                names[i] = i == keeper ? assets[i].Symbol : Suffixed(assets[i].Symbol, assets[i].Address, 6);
        }
        // A token may call itself "USDC·0x1234ab", and two addresses may share 6 hex digits: what still clashes gets the whole address.
        foreach (var clash in Enumerable.Range(0, assets.Count).GroupBy(i => names[i], StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            foreach (var i in clash)
                if (names[i].Contains(Separator, StringComparison.Ordinal) || !listed.Contains(assets[i].Address) || clash.Count(j => listed.Contains(assets[j].Address)) != 1)
                    names[i] = Suffixed(assets[i].Symbol, assets[i].Address, 40);
        return assets.Select((a, i) => names[i] == a.Symbol ? a : a with { Symbol = names[i] }).ToList();
    }

    /// <summary><c>SYMBOL·0x1234ab</c>: the symbol and the first <paramref name="hexDigits"/> hex digits of the address.</summary>
    public static string Suffixed(string symbol, Address address, int hexDigits) => $"{symbol}{Separator}{address.Value[..(2 + hexDigits)]}";

    /// <summary>
    /// The asset named <paramref name="nameOrAddress"/>: an address, or a display name (case-insensitive); null when none
    /// matches. A bare symbol that only suffixed names carry (<c>USDC</c> for <c>USDC·0x1234ab</c> and <c>USDC·0xabcdef</c>)
    /// is refused with one line listing the candidates (exit 2).
    /// </summary>
    public static Asset? Find(IReadOnlyList<Asset> assets, string nameOrAddress)
    {
        var text = nameOrAddress.Trim();
        if (Address.TryParse(text, out var address)) return assets.FirstOrDefault(a => a.Address == address);
        var exact = assets.Where(a => string.Equals(a.Symbol, text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count == 1) return exact[0];
        var candidates = exact.Count > 1 ? exact
            : assets.Where(a => a.Symbol.StartsWith(text + Separator, StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count == 0) return null;
        throw new DefiRiskException(
            $"asset '{text}' is ambiguous: {string.Join(", ", candidates.OrderBy(a => a.Address).Select(a => $"{a.Symbol} ({a.Address})"))}; name one by its address",
            ExitCodes.UserError);
    }
}
