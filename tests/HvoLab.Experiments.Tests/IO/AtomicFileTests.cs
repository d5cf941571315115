using HvoLab.Experiments.IO;
using Xunit;

namespace HvoLab.Experiments.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-io-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesAndReplaces()
    {
        var path = Path.Combine(_dir, "a.txt");
        AtomicFile.WriteAllText("--out", path, "one");
        AtomicFile.WriteAllText("--out", path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ThrowingWriterLeavesOldContentAndNoTempFile()
    {
        var path = Path.Combine(_dir, "b.txt");
        AtomicFile.WriteAllText("--out", path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write("--out", path, s =>
        {
            s.Write("partial"u8);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));

        var fresh = Path.Combine(_dir, "c.txt");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write("--out", fresh, _ => throw new InvalidOperationException()));
        Assert.False(File.Exists(fresh));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }
}

public sealed class JsonlTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hvolab-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Row(int Index, string StrategyName);

    [Fact]
    public void AppendsSnakeCaseRowsAndReadsThemBack()
    {
        var path = Path.Combine(_dir, "r.jsonl");
        using (var a = new JsonlAppender(path)) { a.Append(new Row(1, "D")); a.Append(new Row(2, "ours")); }
        Assert.Contains("\"strategy_name\":\"D\"", File.ReadAllText(path));
        Assert.Equal([new Row(1, "D"), new Row(2, "ours")], JsonlReader.Read<Row>(path));
    }

    [Fact]
    public void ReaderIgnoresTornLastLineAndAppenderRepairsIt()
    {
        var path = Path.Combine(_dir, "t.jsonl");
        File.WriteAllText(path, "{\"index\":1,\"strategy_name\":\"A\"}\n{\"index\":2,\"strat");
        Assert.Equal([new Row(1, "A")], JsonlReader.Read<Row>(path));
        // Unterminated but complete-looking: still torn (the newline is part of every write).
        File.WriteAllText(path, "{\"index\":1,\"strategy_name\":\"A\"}\n{\"index\":2,\"strategy_name\":\"B\"}");
        Assert.Single(JsonlReader.ReadRows(path));

        using (var a = new JsonlAppender(path)) a.Append(new Row(3, "C"));
        Assert.Equal([new Row(1, "A"), new Row(3, "C")], JsonlReader.Read<Row>(path));
    }

    [Fact]
    public void CorruptMiddleLineIsAnError()
    {
        var path = Path.Combine(_dir, "c.jsonl");
        File.WriteAllText(path, "{\"index\":1}\nnot json\n{\"index\":2}\n");
        var e = Assert.Throws<InvalidDataException>(() => JsonlReader.ReadRows(path));
        Assert.Contains("line 2", e.Message);
    }
}
