using Microsoft.ML;
using Microsoft.ML.Data;

namespace Analytics.Learning.Features;

/// <summary>
/// An ML.NET data view straight over the rows of a <see cref="FeatureMatrix"/> (all rows, or a sorted subset):
/// one vector column <c>Features</c> of fixed size, read by copying each row into the caller's buffer. Nothing is
/// copied up front, no object is made per row, and every pass (trainers make many) reads the same array.
/// </summary>
internal sealed class MatrixDataView : IDataView
{
    private readonly FeatureMatrix _matrix;
    private readonly int[]? _rows;

    public MatrixDataView(FeatureMatrix matrix, int[]? rows = null)
    {
        _matrix = matrix;
        _rows = rows;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(nameof(FeatureRow.Features), new VectorDataViewType(NumberDataViewType.Single, matrix.Columns));
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    private int Count => _rows?.Length ?? _matrix.Rows;

    // Not announced, as with the enumerable view ML.NET read before: its trainers take the same path as then.
    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Any());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(MatrixDataView view, bool active) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view.Count)
            {
                _position = view.Count;
                return false;
            }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => active && column.Index == 0;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != 0 || typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column {column.Name} is not a float vector of this view.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var i = (int)_position;
                var row = view._matrix.Row(view._rows is { } rows ? rows[i] : i);
                var editor = VBufferEditor.Create(ref value, row.Length);
                row.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);
    }
}
