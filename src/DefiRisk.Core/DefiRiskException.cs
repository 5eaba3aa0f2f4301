namespace DefiRisk.Core;

/// <summary>
/// A failure the user caused or can act on (bad input, unreachable node, wrong chain). The CLI prints
/// <see cref="Exception.Message"/> as one line and exits with <see cref="ExitCode"/>; so the message
/// must name the facts (file, key, address, block) and fit on one line.
/// </summary>
public class DefiRiskException(string message, int exitCode = ExitCodes.UserError, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Process exit codes shared by every verb, so scripts can branch on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A risk limit given with <c>--fail-if</c> was crossed.</summary>
    public const int RiskLimitCrossed = 1;
    /// <summary>Bad input: malformed file, unknown key, out-of-range value.</summary>
    public const int UserError = 2;
    /// <summary>The node could not be reached or kept failing, or talks about another chain.</summary>
    public const int ChainError = 3;
}
