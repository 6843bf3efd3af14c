using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Skiff.Engine.State;

/// <summary>
/// Binds Microsoft.Data.Sqlite to the system's SQLite through SQLitePCLRaw's "sqlite3" provider, once per process.
/// </summary>
/// <remarks>
/// Two ways the provider's <c>DllImport("sqlite3")</c> is satisfied:
/// <list type="bullet">
/// <item>An executable that lists <c>sqlite3</c> as a DirectPInvoke and links <c>libsqlite3.a</c> (Debian's
/// libsqlite3-dev) calls SQLite directly: nothing is looked up at run time and the resolver below is never asked.</item>
/// <item>Otherwise (the tests, a JIT build) the library is loaded at first use. The runtime's own probing tries
/// <c>libsqlite3.so</c>, which only the -dev package installs; the resolver loads the soname <c>libsqlite3.so.0</c>
/// that Debian's libsqlite3-0 ships.</item>
/// </list>
/// </remarks>
internal static class SqliteNative
{
    private const string LibraryName = "sqlite3";
    private static readonly string[] Candidates = ["libsqlite3.so.0", "libsqlite3.so"];
    private static readonly Lock Gate = new();
    private static bool _initialized;

    public static void EnsureInitialized()
    {
        if (Volatile.Read(ref _initialized)) return;
        lock (Gate)
        {
            if (_initialized) return;
            NativeLibrary.SetDllImportResolver(typeof(SQLite3Provider_sqlite3).Assembly, Resolve);
            raw.SetProvider(new SQLite3Provider_sqlite3());
            Volatile.Write(ref _initialized, true);
        }
    }

    /// <summary>Opens a connection, turning a missing SQLite into an error that names the package.</summary>
    public static void Open(SqliteConnection connection)
    {
        try
        {
            EnsureInitialized();
            connection.Open();
        }
        catch (DllNotFoundException e)
        {
            throw new EngineException("the state database needs SQLite 3: install it (Debian: apt-get install libsqlite3-0)", e);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        foreach (string candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle)) return handle;
        return IntPtr.Zero;
    }
}
