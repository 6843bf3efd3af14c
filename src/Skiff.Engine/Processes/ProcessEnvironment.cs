namespace Skiff.Engine.Processes;

/// <summary>This process's environment as the "NAME=VALUE" lines execve takes, for the programs we start.</summary>
public static class ProcessEnvironment
{
    public static List<string> Current(IReadOnlyCollection<string>? except = null)
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string name && (except is null || !except.Contains(name))) env.Add($"{name}={e.Value}");
        return env;
    }
}
