using System.Text;
using HvoLab.Engine.Host;

namespace HvoLab.Experiments.IO;

/// <summary>
/// Output files. A new or regular file is replaced whole or not at all: the content goes to a temporary file in the
/// target's directory (so the rename stays on one file system and is atomic), is flushed to disk, takes the old file's
/// permissions, then replaces the target. A symbolic link is followed and its final target replaced, so the link stays
/// a link. A character device or FIFO (/dev/null, /dev/stdout) is written in place — replacing it would destroy the
/// device node when run as root; a directory, block device or socket is refused. Every failure is one
/// <see cref="HostFileException"/> naming the option and the path.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string option, string path, string text) => WriteAllBytes(option, path, new UTF8Encoding(false).GetBytes(text));

    public static void WriteAllBytes(string option, string path, byte[] bytes) => Write(option, path, s => s.Write(bytes));

    /// <summary>Streams content from <paramref name="write"/>; if it throws, the temp file is deleted and the target is untouched.</summary>
    public static void Write(string option, string path, Action<Stream> write)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (HostFile.IsIo(e)) { throw HostFile.Wrap(option, path, "cannot write", e); }
        if (path.Length == 0 || Path.EndsInDirectorySeparator(path)) throw new HostFileException($"{option}: \"{path}\" is not a file name");
        var kind = HostFile.KindOf(full);
        switch (kind)
        {
            case HostFileKind.Missing or HostFileKind.Regular:
                Replace(option, path, FinalTarget(full), kind == HostFileKind.Regular, write);
                return;
            case HostFileKind.CharacterDevice or HostFileKind.Fifo:
                InPlace(option, path, full, write);
                return;
            default:
                throw new HostFileException($"{option}: \"{path}\" {HostFile.Describe(kind)}; HvoLab writes only regular files, character devices and FIFOs");
        }
    }

    private static void Replace(string option, string shown, string target, bool exists, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(target) ?? ".";
        // A fixed-length name, so any legal target name (up to 255 bytes) still leaves room for the temporary one.
        var temp = Path.Combine(dir, $".hvolab-{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (exists && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (HostFile.IsIo(e))
        {
            TryDelete(temp);
            throw HostFile.Wrap(option, shown, "cannot write", e, " (through a new file in its directory)");
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void InPlace(string option, string shown, string full, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            write(stream);
            stream.Flush();
        }
        catch (Exception e) when (HostFile.IsIo(e)) { throw HostFile.Wrap(option, shown, "cannot write", e); }
    }

    /// <summary>The file a chain of symbolic links ends at (the path itself when it is not a link).</summary>
    private static string FinalTarget(string full)
    {
        try { return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full; }
        catch (IOException) { return full; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* best effort: a stray temp file is harmless and named as one */ }
        catch (UnauthorizedAccessException) { }
    }
}
