using System.Data;
using System.Text;
using Dapper;
using DefiRisk.Core.Domain;

namespace DefiRisk.Storage.Books;

/// <summary>
/// The base of a family's storage part: narrows <see cref="IBookStorage{TBook}"/> to the family's concrete book type
/// <typeparamref name="TConcrete"/> and applies its embedded DDL file (<c>&lt;name&gt;.sql</c> beside the part).
/// </summary>
public abstract class BookStorage<TConcrete, TBook> : IBookStorage<TBook>
    where TBook : class
    where TConcrete : class, TBook
{
    private readonly string _schema;

    /// <param name="name">The book's name (see <see cref="IBookStorage{TBook}.Name"/>).</param>
    /// <param name="schemaFile">The part's embedded <c>.sql</c> file name (unique in the project, e.g. the family's name).</param>
    /// <param name="tables">Its tables, children before parents.</param>
    protected BookStorage(string name, string schemaFile, params string[] tables)
    {
        Name = name;
        Tables = tables;
        _schema = EmbeddedSql.Read(schemaFile);
    }

    public string Name { get; }

    public IReadOnlyList<string> Tables { get; }

    public void CreateSchema(IDbConnection connection, IDbTransaction? transaction) => connection.Execute(_schema, transaction: transaction);

    public bool Stores(TBook book) => book is TConcrete;

    void IBookStorage<TBook>.Write(IDbConnection connection, IDbTransaction transaction, long snapshotId, TBook book) =>
        Write(connection, transaction, snapshotId, (TConcrete)book);

    TBook IBookStorage<TBook>.Load(IDbConnection connection, long snapshotId) => Load(connection, snapshotId);

    void IBookStorage<TBook>.AppendCanonical(StringBuilder text, TBook book) => AppendCanonical(text, (TConcrete)book);

    public abstract long Count(IDbConnection connection, long snapshotId);

    protected abstract void Write(IDbConnection c, IDbTransaction tx, long snapshotId, TConcrete book);

    protected abstract TConcrete Load(IDbConnection c, long snapshotId);

    protected abstract void AppendCanonical(StringBuilder text, TConcrete book);

    /// <summary>An address column (stored canonical) back to an <see cref="Address"/>.</summary>
    protected static Address A(string canonical) => Address.FromTrusted(canonical);

    /// <summary>A boolean as the canonical text writes it.</summary>
    protected static int B(bool value) => value ? 1 : 0;
}

/// <summary>The project's embedded <c>.sql</c> files, by file name (csproj: <c>LogicalName="%(Filename)%(Extension)"</c>).</summary>
internal static class EmbeddedSql
{
    public static string Read(string fileName)
    {
        var assembly = typeof(EmbeddedSql).Assembly;
        using var stream = assembly.GetManifestResourceStream(fileName)
            ?? throw new InvalidOperationException($"{fileName} is not embedded in {assembly.GetName().Name} (csproj: EmbeddedResource **/*.sql)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
