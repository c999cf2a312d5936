using Analytics.Data.Pseudonymisation;

namespace Analytics.Api.Tests.DataLayer;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "analytics-keyfile-tests", Guid.NewGuid().ToString("n"));

    public KeyFileTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public void Create_WritesTheKeyReadableByTheOwnerOnly_AndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_folder, "keys", "k.json");

        KeyFile.Create(path);

        Assert.Contains("\"secret\"", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["k.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Create_LeavesNoSecretBehind_WhenThePathIsADirectory()
    {
        var path = Path.Combine(_folder, "k.json");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => KeyFile.Create(path));

        Assert.False(File.Exists(path + ".tmp"));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
