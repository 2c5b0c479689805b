using System.Collections.Concurrent;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Credentials;
using BenchMesh.Runner.Agents;

namespace BenchMesh.Runner.Judging;

/// <summary>
/// Grades the outputs of <c>model_graded</c> items (SHARED-DECISIONS 1): the judge is a registered
/// <c>openai-chat</c> agent, resolved with its credential through the Suites catalog, asked with the rubric's prompt
/// (or <see cref="JudgePrompt.DefaultTemplate"/>). Its usage is priced with the judge's own prices and reported in the
/// <see cref="Judgement"/>, apart from the agent's. A judge that cannot be reached, fails, or answers without a
/// parseable grade gives a judgement with a null score and the error: the sample is then unscored, never wrong.
/// </summary>
public sealed class ModelJudge(
    ISuiteCatalog catalog, AgentCredentials credentials, AgentClientResolver clients, TokenCounter tokens, ILogger<ModelJudge> logger)
{
    /// <summary>
    /// The grader of one benchmark's samples, or null when neither its rubric nor any item's is <c>model_graded</c>.
    /// Judges are resolved once per benchmark (and per judge), within <paramref name="benchmarkCt"/>.
    /// </summary>
    public Func<DatasetItem, RawSample, CancellationToken, Task<Judgement?>>? For(BenchmarkDefinition benchmark, TimeSpan timeout, CancellationToken benchmarkCt)
    {
        var benchmarkRubric = ModelGradedRubric.Parse(benchmark.RubricJson);
        if (benchmarkRubric is null && !benchmark.Items.Any(i => ModelGradedRubric.Parse(i.RubricJson) is not null))
        {
            return null;
        }

        var judges = new ConcurrentDictionary<(Guid, string), Lazy<Task<CatalogAgentVersion?>>>();
        return async (item, sample, ct) =>
        {
            // An item's own rubric overrides the benchmark's, whatever its type.
            var rubric = item.RubricJson is null ? benchmarkRubric : ModelGradedRubric.Parse(item.RubricJson);
            if (rubric is null)
            {
                return null;
            }

            var version = rubric.JudgeVersion ?? "";
            var judge = judges.GetOrAdd((rubric.JudgeAgentId, version), key =>
                new Lazy<Task<CatalogAgentVersion?>>(() => ResolveAsync(key.Item1, key.Item2, benchmarkCt)));
            return await GradeAsync(rubric, judge.Value, item, sample, timeout, ct);
        };
    }

    private async Task<CatalogAgentVersion?> ResolveAsync(Guid judgeId, string version, CancellationToken ct)
    {
        if (judgeId == Guid.Empty)
        {
            return null;
        }

        try
        {
            return await catalog.GetAgentVersionAsync(judgeId, version, ct);
        }
        catch (SuiteCatalogUnavailableException e)
        {
            logger.LogWarning(e, "The judge agent {JudgeId} could not be resolved", judgeId);
            return null;
        }
    }

    private async Task<Judgement> GradeAsync(
        ModelGradedRubric rubric, Task<CatalogAgentVersion?> resolving, DatasetItem item, RawSample sample, TimeSpan timeout, CancellationToken ct)
    {
        var template = rubric.EffectiveTemplate;
        var judgement = new Judgement
        {
            JudgeAgentId = rubric.JudgeAgentId,
            JudgeVersion = rubric.JudgeVersion ?? "",
            PromptSha256 = JudgePrompt.Sha256(template),
        };

        var judge = await resolving;
        if (judge is null)
        {
            return judgement with
            {
                Error = rubric.JudgeAgentId == Guid.Empty
                    ? "The rubric names no valid judge_agent_id."
                    : $"The judge agent {rubric.JudgeAgentId} (version '{judgement.JudgeVersion}') could not be found.",
            };
        }

        judgement = judgement with { JudgeVersion = judge.Snapshot.Version };
        if (judge.Snapshot.Protocol != AgentProtocols.OpenAiChat || clients.Find(judge.Snapshot.Protocol) is not { } client)
        {
            return judgement with { Error = $"The judge agent speaks '{judge.Snapshot.Protocol}'; a judge must be an openai-chat agent." };
        }

        var prompt = JudgePrompt.Render(template, item, sample.Output);
        string? apiKey;
        try
        {
            // Decrypted for this call only: the judge's credential is held encrypted between calls.
            apiKey = judge.ProtectedApiKey is null ? null : credentials.Unprotect(judge.ProtectedApiKey);
        }
        catch (AgentCredentialUnreadableException e)
        {
            return judgement with { Error = e.Message };
        }

        var result = await client.CallAsync(
            new AgentCall(judge.Snapshot.Endpoint, prompt, judge.Snapshot.ModelConfigurationJson, null, apiKey, timeout), ct);
        if (!result.Succeeded)
        {
            return judgement with { DurationMs = result.DurationMs, Error = $"The judge call failed ({result.ErrorKind}): {result.Error}" };
        }

        var inputTokens = result.InputTokens ?? tokens.Count(prompt);
        var outputTokens = result.OutputTokens ?? tokens.Count(result.Output);
        var grade = GradeParser.Parse(result.Output);
        return judgement with
        {
            Score = grade.Score,
            Reason = grade.Reason,
            Error = grade.Error,
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            CostUsd = judge.Snapshot.Pricing.CostOf(inputTokens, outputTokens),
            DurationMs = result.DurationMs,
        };
    }
}
