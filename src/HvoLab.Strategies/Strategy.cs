using HvoLab.Kernel;

namespace HvoLab.Strategies;

/// <summary>
/// One way to rewrite live vmemmap entries, in one file: what it is (<see cref="VmemmapArch.Name"/>,
/// <see cref="Title"/>, <see cref="Source"/>, <see cref="Needs"/>, <see cref="Doc"/>), when the kernel would refuse
/// it (<see cref="VmemmapArch.Refusal"/>, asked by the runner before anything runs), its options
/// (<see cref="Strategy{TOptions}"/>) and named variants, and its code: the <see cref="VmemmapArch"/> members it
/// overrides, written against <see cref="IKernelServices"/> only. Every non-abstract subclass with a public
/// parameterless constructor is a strategy: <see cref="StrategyRegistry"/> finds it by reflection, in this assembly
/// or in a user's (<c>--strategy-file</c>). A fresh instance runs each execution, so per-run state lives in fields.
/// </summary>
public abstract class Strategy : VmemmapArch
{
    /// <summary>One line: what the strategy does.</summary>
    public abstract string Title { get; }
    /// <summary>What it needs from the machine or the kernel ("nothing", "GICv3 pseudo-NMI", ...).</summary>
    public abstract string Needs { get; }
    /// <summary>Where it comes from: a message id, a commit, a document.</summary>
    public abstract string Source { get; }
    /// <summary>A paragraph for `hvolab strategies --format json` and the docs: how it works and why it is (un)safe
    /// in the author's argument. Never a verdict: verdicts come from running the model.</summary>
    public virtual string Doc => Title;
    /// <summary>Position in listings and in the default scenario: "off" first (the baseline), then history order.
    /// Strategies loaded from a file come after the built-in ones.</summary>
    public virtual int Order => 1000;
    /// <summary>Timed runs go on past violations (still reported, the verdict still unsafe) because the strategy's
    /// cost is itself a reference ("unsafe": HVO without break-before-make, the baseline D was measured against).</summary>
    public virtual bool TimePastViolations => false;

    /// <summary>The options record type, or null for a strategy without options.</summary>
    public virtual Type? OptionsType => null;
    /// <summary>The options this instance runs with (null without options).</summary>
    public virtual object? OptionsValue => null;
    /// <summary>The options a scenario that says nothing gets.</summary>
    public object? DefaultOptions => OptionsType is { } t ? Activator.CreateInstance(t) : null;

    /// <summary>Syntax of the variant suffix after "NAME:" for help texts ("pte|range|batch|irq", "N"), or null.</summary>
    public virtual string? VariantSyntax => null;
    /// <summary>The variants `hvolab recommend` weighs as separate candidates (suffixes).</summary>
    public virtual IReadOnlyList<string> RecommendVariants => [];

    /// <summary>The options of variant <paramref name="suffix"/> (lower case) starting from <paramref name="options"/>,
    /// or null when the suffix is unknown.</summary>
    public virtual object? VariantOptions(string suffix, object? options) => null;

    /// <summary>A fresh instance of this strategy for one run, with <paramref name="options"/> (null: the defaults).</summary>
    public Strategy Create(object? options = null)
    {
        var s = (Strategy)Activator.CreateInstance(GetType())!;
        s.SetOptions(options ?? DefaultOptions);
        return s;
    }

    private protected virtual void SetOptions(object? options)
    {
        if (options is not null)
            throw new ArgumentException($"strategy {Name} takes no options (got {options.GetType().Name})");
    }
}

/// <summary>A strategy with options: <typeparamref name="TOptions"/> is a record with init properties (bool, int,
/// double or enum) and defaults; its JSON schema fragment and scenario field ("strategy_options": {NAME: {...}}) are
/// generated from it (snake_case field names, kebab-case enum words, [Description] and [Range] attributes).</summary>
public abstract class Strategy<TOptions> : Strategy where TOptions : class, new()
{
    /// <summary>The options this run uses.</summary>
    public TOptions Options { get; private set; } = new();

    public sealed override Type OptionsType => typeof(TOptions);
    public sealed override object OptionsValue => Options;

    public sealed override object? VariantOptions(string suffix, object? options) => Variant(suffix, (options as TOptions) ?? new TOptions());

    /// <summary>The options of variant <paramref name="suffix"/>, or null when unknown.</summary>
    protected virtual TOptions? Variant(string suffix, TOptions options) => null;

    private protected sealed override void SetOptions(object? options) =>
        Options = options as TOptions ?? throw new ArgumentException($"strategy {Name} takes {typeof(TOptions).Name}, not {options?.GetType().Name ?? "null"}");
}
