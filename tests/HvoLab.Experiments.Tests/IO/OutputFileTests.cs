using System.Diagnostics;
using HvoLab.Engine.Host;
using HvoLab.Experiments.IO;
using HvoLab.Experiments.Scenarios;
using Xunit;

namespace HvoLab.Experiments.Tests.IO;

/// <summary>Issue #19 defects 1, 5 and 10: output paths that are devices, FIFOs, long names or unwritable places, and
/// input paths that are special or huge. Device nodes are made with mknod in a private temporary directory, so the
/// test never touches the machine's /dev.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OutputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static bool Root => Environment.UserName == "root" && OperatingSystem.IsLinux();

    private static void Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{command}: {p.StandardError.ReadToEnd()}");
    }

    [Fact]
    public void CharacterDeviceIsWrittenInPlaceAndStaysADevice()
    {
        if (!Root) return;   // mknod needs root; CI runs as root
        var node = Path.Combine(_dir, "null");
        Sh($"mknod '{node}' c 1 3 && chmod 640 '{node}'");   // a private /dev/null
        var mode = File.GetUnixFileMode(node);
        AtomicFile.WriteAllText("--html", node, "<html/>");
        Assert.Equal(HostFileKind.CharacterDevice, HostFile.KindOf(node));
        Assert.Equal(mode, File.GetUnixFileMode(node));
        Assert.Equal([node], Directory.GetFileSystemEntries(_dir));   // no temporary file left beside it

        // The same through the CLI, as in the report: compare --html on a device node.
        var (code, _, err) = CliRun.Run("compare", "--scenario", Comparison.SmallScenario.WriteFile(_dir), "--seeds", "1", "--html", node);
        Assert.True(code == 0, err);
        Assert.Equal(HostFileKind.CharacterDevice, HostFile.KindOf(node));
    }

    [Fact]
    public async Task FifoIsWrittenInPlace()
    {
        if (!OperatingSystem.IsLinux()) return;
        var fifo = Path.Combine(_dir, "pipe");
        Sh($"mkfifo '{fifo}'");
        var reader = Task.Run(() => File.ReadAllText(fifo));
        AtomicFile.WriteAllText("--out", fifo, "through the pipe");
        Assert.Equal("through the pipe", await reader.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(HostFileKind.Fifo, HostFile.KindOf(fifo));
    }

    [Fact]
    public void BlockDeviceDirectoryAndBadPlacesAreRefusedNamingOptionAndPath()
    {
        if (Root)
        {
            var block = Path.Combine(_dir, "disk");
            Sh($"mknod '{block}' b 7 200");   // a loop device number; never opened
            var e = Assert.Throws<HostFileException>(() => AtomicFile.WriteAllText("--out", block, "x"));
            Assert.Equal($"--out: \"{block}\" is a block device; HvoLab writes only regular files, character devices and FIFOs", e.Message);
            Assert.Equal(HostFileKind.BlockDevice, HostFile.KindOf(block));
        }
        var dirError = Assert.Throws<HostFileException>(() => AtomicFile.WriteAllText("--out", _dir, "x"));
        Assert.StartsWith($"--out: \"{_dir}\" is a directory", dirError.Message);
        var proc = Assert.Throws<HostFileException>(() => AtomicFile.WriteAllText("--perfetto", "/proc/self/status", "x"));
        Assert.StartsWith("--perfetto: cannot write \"/proc/self/status\" (through a new file in its directory): ", proc.Message);
        Assert.DoesNotContain(".tmp", proc.Message);
        var (code, _, err) = CliRun.Run("sweep", "merge", Path.Combine(_dir, "none.jsonl"), "--out", _dir);
        Assert.Equal(2, code);
        Assert.DoesNotContain("Access to the path", err);
    }

    [Fact]
    public void ReplacingARegularFileKeepsItsPermissionsAndLinks()
    {
        var file = Path.Combine(_dir, "report.html");
        File.WriteAllText(file, "old");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(_dir, "latest.html");
        File.CreateSymbolicLink(link, file);
        AtomicFile.WriteAllText("--html", link, "new");
        Assert.Equal("new", File.ReadAllText(file));
        Assert.NotNull(new FileInfo(link).LinkTarget);   // still a link
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void LongestLegalNameWorks()
    {
        var name = new string('n', 244) + ".json";   // 249 bytes: legal, but the old temporary name was not
        var path = Path.Combine(_dir, name);
        AtomicFile.WriteAllText("--out", path, "{}");
        Assert.Equal("{}", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task SpecialAndHugeInputsAreRefused()
    {
        var e = Assert.Throws<HostFileException>(() => ScenarioLoader.Load("/dev/zero"));
        Assert.Equal("--scenario: \"/dev/zero\" is a character device; give a regular file", e.Message);
        if (OperatingSystem.IsLinux())
        {
            var fifo = Path.Combine(_dir, "scenario.fifo");
            Sh($"mkfifo '{fifo}'");
            // A timeout here (a hang) fails the test with TimeoutException.
            var run = await Task.Run(() => CliRun.Run("scenario", "validate", fifo)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(2, run.Code);
            Assert.Contains("is a FIFO", run.Err);
        }
        var big = Path.Combine(_dir, "big.json");
        using (var f = File.Create(big)) f.SetLength(ScenarioLoader.MaxFileBytes + 1);
        var tooBig = Assert.Throws<HostFileException>(() => ScenarioLoader.Load(big));
        Assert.Contains("is larger than 4 MiB", tooBig.Message);
        var (code, _, err) = CliRun.Run("replay", "/dev/zero");
        Assert.Equal(2, code);
        Assert.Contains("TRACE: \"/dev/zero\" is a character device", err);
        (code, _, err) = CliRun.Run("litmus", "/dev/zero");
        Assert.Equal(2, code);
    }
}
