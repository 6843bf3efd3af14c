using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Skiff.Images.Registries;

/// <summary>Source-generated (AOT-safe) TOML metadata: registries.conf is read as an untyped <see cref="TomlTable"/>.</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class RegistriesTomlContext : TomlSerializerContext;
