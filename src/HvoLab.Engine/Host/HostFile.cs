using System.Runtime.InteropServices;
using System.Text;

namespace HvoLab.Engine.Host;

/// <summary>What a path names on the host: the reader refuses anything but a regular file, the writer replaces only
/// regular files and writes devices in place, so neither can hang on a FIFO, read /dev/zero forever or turn /dev/null
/// into a file.</summary>
public enum HostFileKind { Missing, Regular, Directory, CharacterDevice, BlockDevice, Fifo, Socket, Other }

/// <summary>
/// Host file system checks shared by every front end (scenarios, traces, litmus files, output files). Every failure is
/// a <see cref="HostFileException"/> whose message names the option (or argument) and the path, never a raw .NET text.
/// </summary>
public static class HostFile
{
    /// <summary>The kind of <paramref name="path"/> after following symbolic links (a dangling link is Missing).</summary>
    public static HostFileKind KindOf(string path)
    {
        if (OperatingSystem.IsLinux() && StatxMode(path) is { } mode) return mode == 0 ? HostFileKind.Missing : FromMode(mode);
        if (Directory.Exists(path)) return HostFileKind.Directory;
        return File.Exists(path) ? HostFileKind.Regular : HostFileKind.Missing;
    }

    public static string Describe(HostFileKind kind) => kind switch
    {
        HostFileKind.Missing => "does not exist",
        HostFileKind.Regular => "is a regular file",
        HostFileKind.Directory => "is a directory",
        HostFileKind.CharacterDevice => "is a character device",
        HostFileKind.BlockDevice => "is a block device",
        HostFileKind.Fifo => "is a FIFO (named pipe)",
        HostFileKind.Socket => "is a socket",
        _ => "is not a regular file",
    };

    /// <summary>Reads a regular file of at most <paramref name="maxBytes"/> as UTF-8. Special files are refused before
    /// they are opened (a FIFO would block, /dev/zero never ends) and the size is checked while reading, so a file that
    /// grows cannot get past the cap either.</summary>
    public static string ReadText(string option, string path, long maxBytes)
    {
        var kind = KindOf(path);
        if (kind != HostFileKind.Regular)
            throw new HostFileException($"{option}: \"{path}\" {Describe(kind)}; give a regular file");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + n > maxBytes)
                    throw new HostFileException($"{option}: \"{path}\" is larger than {FormatBytes(maxBytes)}, the limit for this input");
                buffer.Write(chunk, 0, n);
            }
            return new UTF8Encoding(false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
        }
        catch (Exception e) when (IsIo(e)) { throw Wrap(option, path, "cannot read", e); }
    }

    public static bool IsIo(Exception e) => e is IOException or UnauthorizedAccessException or NotSupportedException
        or ArgumentException && e is not HostFileException;

    /// <summary>A one-line user error for an I/O failure: the option, the path and the reason in plain words.</summary>
    public static HostFileException Wrap(string option, string path, string what, Exception e, string how = "") =>
        e as HostFileException ?? new HostFileException($"{option}: {what} \"{path}\"{how}: {Reason(e)}", e);

    public static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the name is too long for the file system",
        DirectoryNotFoundException => "its directory does not exist",
        FileNotFoundException => "no such file",
        IOException io => (io.HResult & 0xFFFF) switch
        {
            1 or 13 => "permission denied",
            2 => "no such file or directory",
            5 => "input/output error",
            17 => "it already exists",
            20 => "a part of the path is not a directory",
            21 => "it is a directory",
            26 => "the file is busy",
            27 => "the file would be too large",
            28 => "no space left on the device",
            30 => "the file system is read-only",
            36 => "the name is too long for the file system",
            122 => "the disk quota is exhausted",
            _ => "I/O error",
        },
        ArgumentException or NotSupportedException => "not a valid path",
        _ => e.GetType().Name,
    };

    public static string FormatBytes(long bytes) => bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes:N0} bytes";

    private static HostFileKind FromMode(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => HostFileKind.Regular,
        0x4000 => HostFileKind.Directory,
        0x2000 => HostFileKind.CharacterDevice,
        0x6000 => HostFileKind.BlockDevice,
        0x1000 => HostFileKind.Fifo,
        0xC000 => HostFileKind.Socket,
        _ => HostFileKind.Other,
    };

    // statx(2) has one struct layout on every Linux architecture (unlike stat), so the mode is read at a fixed offset:
    // stx_mask u32, stx_blksize u32, stx_attributes u64, stx_nlink u32, stx_uid u32, stx_gid u32, stx_mode u16 (offset 28).
    private const int AtFdCwd = -100, StatxType = 0x1, StatxModeOffset = 28, StatxSize = 256, Enoent = 2, Enotdir = 20;

    private static ushort? StatxMode(string path)
    {
        var buffer = new byte[StatxSize];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) == 0) return BitConverter.ToUInt16(buffer, StatxModeOffset);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
        int errno = Marshal.GetLastPInvokeError();
        // Missing (or a dangling link); any other failure (permission, loop) falls back to what .NET can see.
        return errno is Enoent or Enotdir ? (ushort)0 : null;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
}

/// <summary>A user's file problem (missing, special, too large, unwritable), already phrased for one error line.</summary>
public sealed class HostFileException(string message, Exception? inner = null) : Exception(message, inner);
