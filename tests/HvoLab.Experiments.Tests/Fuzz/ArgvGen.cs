using CsCheck;

namespace HvoLab.Experiments.Tests.Fuzz;

/// <summary>
/// Command lines for the fuzzer: a template per command with each value drawn from a pool of valid and invalid
/// values, then up to two token mutations (replace, delete, insert, duplicate). Files are placeholders expanded per
/// case by <see cref="FuzzWorkspace"/>: {tiny} (a 2-CPU scenario with a 20k step budget), {bad} (a fuzzed scenario),
/// {trace} and {badtrace}, {dir}, {missing}, {special} and {outspecial} (devices, FIFOs, /proc files, long names). Commands that run simulations always get a tiny scenario.
/// </summary>
public static class ArgvGen
{
    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static Gen<string> V(params string[] values) => Pick(values);

    private static readonly Gen<string> Strategy = V("off", "unsafe", "A", "B", "C", "D", "ours", "d", "E", "");
    private static readonly Gen<string> Cpus = V("1", "2", "3", "8", "0", "257", "x", "-1", "2.5");
    private static readonly Gen<string> Small = V("1", "2", "0", "-5", "x", "99999999999", "1e3");
    private static readonly Gen<string> Granule = V("4k", "16k", "64k", "8k", "4K", "");
    private static readonly Gen<string> Size = V("2MiB", "64KiB", "1GiB", "512MiB", "32MiB", "3MiB", "2", "-2MiB", "99999999TiB", "1TiB", "",
        "99999999999999999999TiB", "999999999999999999999TiB", "18446744073709551616", "16777216TiB", "1.5EiB");
    private static readonly Gen<string> Param = V("cpus=1,2", "granule=4k,16k", "hugepage=2MiB,64KiB", "batch=true,false", "batch=2", "irq_off=1us,2us",
        "pseudo_nmi=false", "bbm_level=2", "tlbi_range=true", "strategy=off,D:pte,ours:2", "strategy=Z", "cpus=", "=1", "nonsense=1",
        "cpus=0", "hugepage=3MiB", "bbm_level=x", "strategy=D:foo", "strategy=ours:0", "irq_off=-1us", "cpus=1,1", "strategy=C,C", "granule=4k,4k",
        "hugepage=99999999999999999999GiB", "hugepage=18446744073709551616", "batch=99999999999", "cpus=99999999999");
    private static readonly Gen<string> Seed = V("1", "0", "18446744073709551615", "18446744073709551616", "-1", "x");

    private static Gen<string[]> T(params Gen<string>[] parts) =>
        parts.Select(p => p.Select(x => new[] { x })).Aggregate((a, b) => Gen.Select(a, b, (x, y) => x.Concat(y).ToArray()))
            .Select(a => a.SelectMany(t => t.Split('\u0001', StringSplitOptions.RemoveEmptyEntries)).ToArray());

    private static Gen<string> C(string text) => Gen.Const(text);

    /// <summary>An optional "--opt value" pair, joined by \u0001 and split again by <see cref="T"/>.</summary>
    private static Gen<string> Opt(string name, Gen<string> value) =>
        Gen.Select(Gen.Int[0, 2], value, (on, v) => on > 0 ? $"{name}\u0001{v}" : "");

    private static readonly Gen<string[]>[] Templates =
    [
        T(C("compare"), C("--scenario"), C("{tiny}"), Opt("--format", V("table", "markdown", "json", "csv", "yaml")), Opt("--seeds", Small),
            Opt("--parallel", Small), Opt("--cpus", Cpus), Opt("--granule", Granule), Opt("--hugepage", V("2MiB", "64KiB", "32MiB", "3MiB", "-2MiB", "", "99999999999999999999GiB")), Opt("--pages", Small),
            Opt("--out", V("{dir}/cmp", "{missing}/x", "/dev/null")), Opt("--html", V("{dir}/r.html", "{dir}"))),
        T(C("check"), Opt("--strategy", Strategy), C("--scenario"), C("{tiny}"), Opt("--mode", V("exhaustive", "pct", "random", "timed", "x")),
            Opt("--iterations", Small), Opt("--seed", Seed), C("--traces"), C("{dir}/traces"), Opt("--revert-fix", V("rcu-sync", "pmd-split-lock", "free-before-flush", "nope")),
            Opt("--format", V("text", "json", "xml")), Opt("--cpus", Cpus), Opt("--all", V("true", "false", "x"))),
        T(C("trace"), Opt("--strategy", Strategy), C("--scenario"), C("{tiny}"), Opt("--out", V("{dir}/t.json", "{dir}", "")), Opt("--seed", Seed)),
        T(C("sweep"), C("--scenario"), C("{tiny}"), Opt("--param", Param), Opt("--param", Param), C("--out"), V("{dir}/s.jsonl", "{dir}", "{badtrace}"),
            Opt("--shard", V("0/1", "1/2", "2/2", "0/0", "a/b", "-1/2", "1/")), Opt("--parallel", Small), Opt("--resume", V("true", "x")),
            Opt("--plots", V("{dir}/plots", "{tiny}"))),
        T(C("sweep"), C("merge"), V("{dir}/s.jsonl", "{tiny}", "{badtrace}", "{missing}", "{trace}"), C("--out"), V("{dir}/m.jsonl", "{dir}")),
        T(C("recommend"), Opt("--stall-budget", V("50us", "1ns", "0us", "-1us", "fast", "1e400s", "")), C("--scenario"), C("{tiny}"), Opt("--parallel", Small)),
        T(C("savings"), Opt("--granule", Granule), Opt("--hugepage", Size), Opt("--memory", Size), Opt("--format", V("table", "json", "x"))),
        T(C("scenario"), V("validate", "show", "schema", "nope"), V("{bad}", "{missing}", "{dir}", "--scenario")),
        T(C("scenario"), C("show"), C("--scenario"), V("{bad}", "{missing}", "{dir}")),
        T(C("replay"), V("{trace}", "{badtrace}", "{missing}", "{tiny}", "{dir}"), Opt("--perfetto", V("{dir}/p.json", "{dir}"))),
        T(C("strategies"), Opt("--format", V("table", "json", "x"))),
        T(C("pte"), C("decode"), V("0x60000000000713", "1", "-1", "0xZZ", "18446744073709551616"), Opt("--granule", Granule), Opt("--level", V("0", "3", "7", "x"))),
        T(C("pte"), C("encode"), V("PAGE_KERNEL", "x"), Opt("--pfn", V("42", "-1", "x")), Opt("--set", V("AF=0", "AF", "=1"))),
        T(C("litmus"), V("{missing}", "{dir}", "{tiny}")),
        // Paths and special files (issue #19): inputs that are devices, FIFOs, directories, /proc files or too long;
        // outputs that are devices, directories, /proc files or 244-character names. A FIFO is never an output here:
        // it is written in place, so with no reader the write waits, as `cat > fifo` does.
        T(C("scenario"), C("validate"), V("{special}")),
        T(C("scenario"), C("show"), C("--scenario"), V("{special}")),
        T(C("replay"), V("{special}"), Opt("--perfetto", V("{outspecial}"))),
        T(C("litmus"), V("{special}")),
        T(C("compare"), C("--scenario"), C("{tiny}"), C("--seeds"), C("1"), C("--html"), V("{outspecial}")),
        T(C("trace"), C("--strategy"), Strategy, C("--scenario"), C("{tiny}"), C("--out"), V("{outspecial}"), Opt("--max-events", V("1", "100", "0", "-1", "x"))),
        T(C("check"), C("--strategy"), C("unsafe"), C("--scenario"), C("{tiny}"), C("--traces"), V("{outspecial}")),
        T(C("sweep"), C("merge"), V("{special}", "{tiny}"), C("--out"), V("{outspecial}")),
        T(C("sweep"), C("--scenario"), C("{tiny}"), C("--param"), C("cpus=2"), C("--out"), V("{outspecial}")),
    ];

    private static readonly Gen<string> Token = V("--frobnicate", "--scenari", "--help", "-h", "--version", "", " ", "--cpus", "--out", "-1", "0",
        "NaN", "1e309", "{missing}", "{dir}", "{bad}", "/dev/null", "x=y", "--parallel=0", "--shard=1/1", "\u221e", "--strategy", "D", "compare");

    private static readonly Gen<(int Kind, int Pos, string Token)> Mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 100], Token);

    private static readonly HashSet<string> Running = ["compare", "check", "trace", "sweep", "recommend"];

    public static readonly Gen<string[]> Argv = Gen.Select(Gen.Int[0, Templates.Length - 1], Gen.Int[0, 2], Mutation.Array[2])
        .SelectMany((t, n, muts) => Templates[t].Select(args => Mutate(args, muts.Take(n))));

    private static string[] Mutate(string[] args, IEnumerable<(int Kind, int Pos, string Token)> mutations)
    {
        var list = args.ToList();
        foreach (var (kind, pos, token) in mutations)
        {
            int i = list.Count == 0 ? 0 : pos % list.Count;
            switch (kind)
            {
                case 0 when list.Count > 0: list[i] = token; break;
                case 1 when list.Count > 0: list.RemoveAt(i); break;
                case 2: list.Insert(Math.Min(i + 1, list.Count), token); break;
                case 3 when list.Count > 0: list.Insert(i, list[i]); break;
            }
        }
        // A simulation never runs the 64-CPU default scenario here: that would take seconds, not milliseconds.
        if (list.Count > 0 && Running.Contains(list[0]) && !list.Contains("{tiny}") && !list.Contains("{bad}") && !list.Contains("--help") && !list.Contains("-h"))
            list.AddRange(["--scenario", "{tiny}"]);
        return list.ToArray();
    }
}
