using System.CommandLine;
using HvoLab.Experiments.IO;
using HvoLab.Strategies;

namespace HvoLab.Cli.Commands;

/// <summary>`hvolab new strategy NAME [--from X]`: writes a commented starting file for --strategy-file.</summary>
public static class NewCommand
{
    public static Command Build(CliContext cli)
    {
        var name = new Argument<string>("NAME") { Description = "The strategy's name (letters, digits, '_'; starts with a letter)." };
        var from = new Option<string?>("--from") { Description = "Start from a copy of this built-in strategy's source.", HelpName = "STRATEGY" };
        var output = new Option<string?>("--out") { Description = "File to write (default: NAME.cs in the current directory).", HelpName = "PATH.cs" };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists." };
        var strategy = new Command("strategy", "Write a commented C# file defining a new strategy; run it with --strategy-file.") { name, from, output, force };
        strategy.SetAction(r => CliErrors.Guard(cli, () =>
        {
            var n = r.GetRequiredValue(name)!;
            if (n.Length == 0 || !char.IsAsciiLetter(n[0]) || !n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                throw new ArgumentException($"NAME: \"{n}\" is not allowed; use letters, digits and '_', starting with a letter");
            if (StrategyRegistry.TryGet(n, out var taken))
                throw new ArgumentException($"NAME: \"{n}\" is taken by the strategy {taken.Name} ({taken.Title}); choose another name");
            var className = char.ToUpperInvariant(n[0]) + n[1..] + (n.EndsWith("Strategy", StringComparison.Ordinal) ? "" : "Strategy");
            var path = r.GetValue(output) ?? n + ".cs";
            if (File.Exists(path) && !r.GetValue(force)) throw new ArgumentException($"--out: \"{path}\" exists; give --force to overwrite it");
            var text = r.GetValue(from) is { } f ? StrategySource.Copy(StrategyRegistry.Get(CliValues.Strategy("--from", f)), n, className) : Template(n, className);
            AtomicFile.WriteAllText("--out", path, text);
            cli.Out.WriteLine($"{path}: strategy {n} ({className}); next: hvolab check --strategy-file {path}");
            return CliContext.Ok;
        }));
        return new Command("new", "Create starting files.") { strategy };
    }

    /// <summary>A plain break-before-make under init_mm.page_table_lock with interrupts off: short, compiles, and
    /// gives the model something to refute (readers on other CPUs still see the invalid entries).</summary>
    private static string Template(string name, string className) => $$"""
        // {{name}}: a way to rewrite live vmemmap entries, for HvoLab. Edit it, then:
        //   hvolab check   --strategy-file {{name}}.cs      (the model checker's verdict; exit 0 safe, 1 unsafe, 4 refused)
        //   hvolab compare --strategy-file {{name}}.cs      (its costs beside the built-in strategies)
        // The API and the steps from an idea to a verdict: docs/writing-a-strategy.md. Start from a built-in one with
        // `hvolab new strategy {{name}} --from D --force`.
        using HvoLab.Engine;
        using HvoLab.Kernel;
        using HvoLab.Strategies;

        namespace MyStrategies;

        /// <summary>Break-before-make under init_mm.page_table_lock with local interrupts off (describe yours here).</summary>
        public sealed class {{className}} : Strategy
        {
            // What `hvolab strategies` and the compare table show.
            public override string Name => "{{name}}";
            public override string Title => "break-before-make under init_mm.page_table_lock, IRQs off";
            public override string Needs => "nothing";
            public override string Source => "your patch or message id";

            // The generic code's TLB flushes this strategy does itself (VMEMMAP_ARCH_TLB_FLUSH_FLAGS).
            public override VmemmapFlags ArchTlbFlushFlags => VmemmapFlags.SplitNoTlbFlush | VmemmapFlags.RemapNoTlbFlush;

            // Why the kernel would not enable it on this machine (asked before anything runs), or null.
            // config.Machine: cpus, granule, FEAT_BBM level...; config.Kernel: pseudo-NMI, HVO design...
            public override string? Refusal(SystemConfig config) => null;

            // Register IPI cases, a fault fixup or the CPU pause here (K.RegisterIpi, K.RegisterVmemmapFaultFixup, K.CpuPause).
            protected override void OnAttach() { }

            // The PTEs of one PMD the generic code wants changed: break (clear), flush, make (write the new entries).
            // K is the kernel (IKernelServices): every call is a kernel function and takes simulated time.
            public override async SimTask UpdatePteRange(Cpu cpu, ulong start, ulong end, IReadOnlyList<PteUpdate> updates)
            {
                bool flags = await K.SpinLockIrqSave(cpu, K.InitMmPageTableLock);
                foreach (var u in updates) await K.PteClear(cpu, u.PtepPa);
                await K.FlushTlbKernelRange(cpu, start, end);
                foreach (var u in updates) await K.SetPte(cpu, u.PtepPa, u.NewPte);
                await K.SpinUnlockIrqRestore(cpu, K.InitMmPageTableLock, flags);
            }

            // The PMD block becomes a table of PTEs (the caller holds init_mm.page_table_lock).
            public override async SimTask UpdatePmd(Cpu cpu, ulong pmdpPa, ulong start, ulong ptePagePa)
            {
                await K.PmdClear(cpu, pmdpPa);
                await K.FlushTlbKernelRange(cpu, start, start + K.Granule.PmdSize);
                await K.PmdPopulateKernel(cpu, pmdpPa, ptePagePa);
            }
        }

        """;
}
