using System.Text.Json;
using HvoLab.Arch;
using HvoLab.Cli;
using HvoLab.Experiments.Savings;
using Xunit;

namespace HvoLab.Experiments.Tests.Savings;

/// <summary>The savings measured on the model must equal kernel-hvo.md §1 (vmemmap_dedup.rst and the arm64 table)
/// for every granule and hugepage size, including the sizes HVO cannot optimise (contiguous-PTE sizes: 0).</summary>
public class SavingsTests
{
    public static TheoryData<string, ulong, double, long> Expected => new()
    {
        { "4k", 64UL << 10, 0.25, 0 },
        { "4k", 2UL << 20, 8, 7 },
        { "4k", 32UL << 20, 128, 127 },
        { "4k", 1UL << 30, 4096, 4095 },
        { "16k", 2UL << 20, 0.5, 0 },
        { "16k", 32UL << 20, 8, 7 },
        { "16k", 1UL << 30, 256, 255 },
        { "64k", 2UL << 20, 1.0 / 32, 0 },
        { "64k", 512UL << 20, 8, 7 },
        { "64k", 16UL << 30, 256, 255 },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void MeasuredSavingsMatchTheKernelTable(string granule, ulong hugepage, double vmemmapPages, long freed)
    {
        var g = Granule.Parse(granule);
        var row = VmemmapSavings.MeasureOne(g, hugepage, memory: 1UL << 40);
        Assert.Equal(vmemmapPages, row.VmemmapPages);
        Assert.Equal(freed, row.FreedPages);
        Assert.Equal(freed * (long)g.PageSize, row.FreedBytes);
        Assert.Equal((long)((1UL << 40) / hugepage) * freed * (long)g.PageSize, row.PoolFreedBytes);
    }

    [Fact]
    public void EveryGranuleAndSizeIsListed()
    {
        var rows = VmemmapSavings.Measure();
        Assert.Equal(10, rows.Count);
        Assert.Equal(new[] { 0L, 7, 127, 4095, 0, 7, 255, 0, 7, 255 }, rows.Select(r => r.FreedPages));
        Assert.All(rows, r => Assert.Null(r.PoolFreedBytes));
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => CliRun.Run(args);

    [Fact]
    public void JsonRowsHaveTheDocumentedFields()
    {
        var (code, output, err) = Cli("savings", "--granule", "4k", "--hugepage", "2MiB", "--memory", "1TiB", "--format", "json");
        Assert.True(code == 0, err);
        var row = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal("4k", row.GetProperty("granule").GetString());
        Assert.Equal("2MiB", row.GetProperty("hugepage").GetString());
        Assert.Equal(8, row.GetProperty("vmemmap_pages").GetDouble());
        Assert.Equal(7, row.GetProperty("freed_pages").GetInt64());
        Assert.Equal(7 * 4096, row.GetProperty("freed_bytes").GetInt64());
        // 1 TiB / 2 MiB = 524288 hugepages × 28 KiB = 14 GiB.
        Assert.Equal(14L << 30, row.GetProperty("pool_freed_bytes").GetInt64());
    }

    [Fact]
    public void JsonWithoutMemoryOmitsThePoolField()
    {
        var (code, output, _) = Cli("savings", "--granule", "16k", "--format", "json");
        Assert.Equal(0, code);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.All(rows, r => Assert.False(r.TryGetProperty("pool_freed_bytes", out _)));
    }

    [Fact]
    public void TableListsEveryRow()
    {
        var (code, output, _) = Cli("savings", "--granule", "64k", "--memory", "1TiB");
        Assert.Equal(0, code);
        Assert.Contains("512MiB", output);
        Assert.Contains("16GiB", output);
        Assert.Contains("freed in pool", output);
        Assert.Contains("255", output);
    }

    [Theory]
    [InlineData("--granule", "64k", "--hugepage", "1GiB")]
    [InlineData("--hugepage", "3MiB")]
    [InlineData("--granule", "8k")]
    [InlineData("--hugepage", "2MiB", "--memory", "1MiB")]
    public void BadValuesAreOneLineUserErrors(params string[] args)
    {
        var (code, _, err) = Cli(["savings", .. args]);
        Assert.Equal(2, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("hvolab: error: ", line);
    }
}
