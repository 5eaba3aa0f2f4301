using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

// ABI bindings of the round surface of Chainlink-style feeds (AggregatorV3Interface) and the phase getters of its
// AggregatorProxy: what the oracle history reader walks.
namespace DefiRisk.Chain.Contracts.ContractDefinition;

[Function("latestRoundData", typeof(RoundDataOutput))] public sealed class LatestRoundDataFunction : FunctionMessage;

[Function("getRoundData", typeof(RoundDataOutput))]
public sealed class GetRoundDataFunction : FunctionMessage
{
    [Parameter("uint80", "_roundId", 1)] public BigInteger RoundId { get; set; }
}

/// <summary>AggregatorProxy <c>phaseId()</c>: the current phase (1 for the first aggregator).</summary>
[Function("phaseId", "uint16")] public sealed class PhaseIdFunction : FunctionMessage;

/// <summary>AggregatorProxy <c>phaseAggregators(uint16)</c>: the aggregator of a phase (zero for none).</summary>
[Function("phaseAggregators", "address")]
public sealed class PhaseAggregatorsFunction : FunctionMessage
{
    [Parameter("uint16", "phaseId", 1)] public ushort PhaseId { get; set; }
}

[FunctionOutput]
public sealed class RoundDataOutput : IFunctionOutputDTO
{
    [Parameter("uint80", "roundId", 1)] public BigInteger RoundId { get; set; }
    [Parameter("int256", "answer", 2)] public BigInteger Answer { get; set; }
    [Parameter("uint256", "startedAt", 3)] public BigInteger StartedAt { get; set; }
    [Parameter("uint256", "updatedAt", 4)] public BigInteger UpdatedAt { get; set; }
    [Parameter("uint80", "answeredInRound", 5)] public BigInteger AnsweredInRound { get; set; }
}

[FunctionOutput] public sealed class Uint16Output : IFunctionOutputDTO { [Parameter("uint16", "", 1)] public ushort Value { get; set; } }
