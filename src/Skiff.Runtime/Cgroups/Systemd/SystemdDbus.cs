using Tmds.DBus.Protocol;

namespace Skiff.Runtime.Cgroups.Systemd;

/// <summary>
/// The two calls the systemd manager makes to org.freedesktop.systemd1 on the system bus: StartTransientUnit
/// (waiting until the unit's cgroup holds the pid) and StopUnit.
/// </summary>
public static class SystemdDbus
{
    private const string Destination = "org.freedesktop.systemd1", ObjectPath = "/org/freedesktop/systemd1", Manager = "org.freedesktop.systemd1.Manager";

    public static void StartTransientUnit(string unit, IReadOnlyList<UnitProperty> properties)
    {
        Call(unit, "StartTransientUnit", connection =>
        {
            using var w = connection.GetMessageWriter();
            w.WriteMethodCallHeader(Destination, ObjectPath, Manager, "StartTransientUnit", "ssa(sv)a(sa(sv))");
            w.WriteString(unit);
            w.WriteString("replace");
            var props = w.WriteArrayStart(DBusType.Struct);
            foreach (var p in properties)
            {
                w.WriteStructureStart();
                w.WriteString(p.Name);
                switch (p.Value)
                {
                    case bool b: w.WriteVariantBool(b); break;
                    case string s: w.WriteVariantString(s); break;
                    case ulong u: w.WriteVariantUInt64(u); break;
                    case uint[] pids:
                        w.WriteSignature("au");
                        w.WriteArray(pids);
                        break;
                    default: throw new ArgumentException($"unit property {p.Name}: unsupported value type");
                }
            }
            w.WriteArrayEnd(props);
            var aux = w.WriteArrayStart(DBusType.Struct);
            w.WriteArrayEnd(aux);
            return w.CreateMessage();
        });
    }

    public static void StopUnit(string unit)
    {
        Call(unit, "StopUnit", connection =>
        {
            using var w = connection.GetMessageWriter();
            w.WriteMethodCallHeader(Destination, ObjectPath, Manager, "StopUnit", "ss");
            w.WriteString(unit);
            w.WriteString("replace");
            return w.CreateMessage();
        });
    }

    private static void Call(string unit, string method, Func<DBusConnection, MessageBuffer> message)
    {
        try
        {
            using var connection = new DBusConnection(DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket");
            connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
            connection.CallMethodAsync(message(connection)).GetAwaiter().GetResult();
        }
        catch (DBusExceptionBase e)
        {
            throw new RuntimeException($"systemd {method} of {unit}: {e.Message.ReplaceLineEndings(" ")}");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new RuntimeException($"systemd {method} of {unit}: cannot reach systemd on the system bus: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
