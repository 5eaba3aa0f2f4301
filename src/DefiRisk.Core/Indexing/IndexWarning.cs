namespace DefiRisk.Core.Indexing;

/// <summary>
/// Something an index run left out instead of aborting, named so a reviewer can find it on chain: a Morpho market that
/// is idle or whose oracle reverts or answers 0, an Aave reserve priced ≤ 0 with the positions that hold it. The run
/// completes with the rest of the book; the CLI prints every warning and its JSON lists them.
/// </summary>
/// <param name="Protocol">The family that skipped it ("morpho-blue", "aave-v3").</param>
/// <param name="Kind">A stable key ("idle-market", "oracle-reverted", "oracle-zero-price", "unpriced-reserve", …) that scripts count by.</param>
/// <param name="Subject">What was skipped: a market id, a reserve address.</param>
/// <param name="Message">One line saying what, why and what it cost (positions, debt). Contains on-chain strings: escape it in reports.</param>
/// <param name="Positions">Positions left out with it.</param>
public sealed record IndexWarning(string Protocol, string Kind, string Subject, string Message, int Positions = 0);
