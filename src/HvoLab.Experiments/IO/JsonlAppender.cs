using System.Text;
using System.Text.Json;

namespace HvoLab.Experiments.IO;

/// <summary>
/// Append-only JSON Lines output for long sweeps: each row is one line, written and flushed to disk before
/// <see cref="Append"/> returns, so a killed sweep loses at most the row in flight and can resume from the file.
/// </summary>
public sealed class JsonlAppender : IDisposable
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly FileStream _stream;

    public string Path { get; }

    public JsonlAppender(string path)
    {
        Path = path;
        try
        {
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            TruncateTornTail();
            _stream.Seek(0, SeekOrigin.End);
        }
        catch (Exception e) when (HvoLab.Engine.Host.HostFile.IsIo(e))
        {
            _stream?.Dispose();
            throw HvoLab.Engine.Host.HostFile.Wrap("--out", path, "cannot append to", e);
        }
    }

    /// <summary>Serialises <paramref name="row"/> (snake_case) as one line and flushes it to disk.</summary>
    public void Append<T>(T row) => AppendLine(JsonSerializer.Serialize(row, Options));

    /// <summary>Appends one already-serialised JSON value; it must not contain a newline.</summary>
    public void AppendLine(string json)
    {
        if (json.Contains('\n') || json.Contains('\r')) throw new ArgumentException("a JSON Lines row must be a single line", nameof(json));
        var bytes = Encoding.UTF8.GetBytes(json + "\n");
        _stream.Write(bytes);
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>A previous run killed mid-write leaves a last line without its newline; cut it so the next row
    /// starts on a line of its own instead of being glued to garbage.</summary>
    private void TruncateTornTail()
    {
        long length = _stream.Length;
        if (length == 0) return;
        var buffer = new byte[1];
        long pos = length - 1;
        _stream.Seek(pos, SeekOrigin.Begin);
        _stream.ReadExactly(buffer);
        if (buffer[0] == (byte)'\n') return;
        while (pos > 0)
        {
            _stream.Seek(pos - 1, SeekOrigin.Begin);
            _stream.ReadExactly(buffer);
            if (buffer[0] == (byte)'\n') break;
            pos--;
        }
        _stream.SetLength(pos);
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>Reads a JSON Lines file written by <see cref="JsonlAppender"/>.</summary>
public static class JsonlReader
{
    /// <summary>Largest sweep file read whole (rows are about 1 KB: a million rows fit).</summary>
    public const long MaxFileBytes = 2L << 30;

    /// <summary>Parsed rows. The appender writes each row with its newline in one write, so a last line without a
    /// newline is a torn write and is skipped (as is an invalid last line); an invalid line anywhere else is
    /// corruption and throws <see cref="InvalidDataException"/> naming the line.</summary>
    public static IReadOnlyList<JsonElement> ReadRows(string path, string option = "FILES")
    {
        var text = HvoLab.Engine.Host.HostFile.ReadText(option, path, MaxFileBytes);
        var lines = text.Split('\n');
        // After a final newline Split leaves one empty piece; otherwise the last piece is an unterminated (torn) line.
        int complete = lines.Length - 1;
        var rows = new List<JsonElement>();
        for (int i = 0; i < complete; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            if (TryParse(line, out var row)) rows.Add(row);
            else if (i < complete - 1) throw new InvalidDataException($"{path}: line {i + 1} is not valid JSON");
        }
        return rows;
    }

    public static IReadOnlyList<T> Read<T>(string path, JsonSerializerOptions? options = null) =>
        ReadRows(path).Select(r => r.Deserialize<T>(options ?? new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!).ToArray();

    private static bool TryParse(string line, out JsonElement row)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            row = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException) { row = default; return false; }
    }
}
