//! Per-run records streamed to disk as CSV and Parquet at once: rows are written as they come,
//! and memory holds at most one Parquet row group ([`ROW_GROUP`] rows), whatever the number of
//! runs.
//!
//! Both files are deterministic: the same rows give the same bytes. Row groups are cut every
//! [`ROW_GROUP`] rows counted from the first row of the file, so a merged run, rewritten row by
//! row, has the unsharded run's row groups. Floats are written in CSV in their shortest
//! round-trip form, so reading the CSV back gives the same bits.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use bc_engine::record::{Cell, Column, ColumnType};
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::error::Error;

/// Rows per Parquet row group: the most rows held in memory.
pub const ROW_GROUP: usize = 16_384;

/// A float as CSV text: shortest round-trip form; `inf`, `-inf`, `NaN` as pandas reads them.
pub fn float_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        format!("{x:?}")
    }
}

/// The columns' values of the rows not yet written to Parquet.
enum Buffer {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Text(Vec<ByteArray>),
}

/// Writes records to `records.csv` and `records.parquet` as they come.
pub struct RecordWriter {
    columns: Vec<Column>,
    csv_path: PathBuf,
    parquet_path: PathBuf,
    csv: csv::Writer<BufWriter<File>>,
    parquet: SerializedFileWriter<BufWriter<File>>,
    buffers: Vec<Buffer>,
    defs: Vec<Vec<i16>>,
    buffered: usize,
    rows: u64,
    text: Vec<String>,
}

fn parquet_schema(columns: &[Column]) -> Result<Type, parquet::errors::ParquetError> {
    let mut fields = Vec::with_capacity(columns.len());
    for c in columns {
        let (physical, logical) = match c.ty {
            ColumnType::Int => (PhysicalType::INT64, None),
            ColumnType::Float => (PhysicalType::DOUBLE, None),
            ColumnType::Bool => (PhysicalType::BOOLEAN, None),
            ColumnType::Text => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
        };
        let rep = if c.nullable { Repetition::OPTIONAL } else { Repetition::REQUIRED };
        let t = Type::primitive_type_builder(&c.name, physical).with_repetition(rep).with_logical_type(logical).build()?;
        fields.push(Arc::new(t));
    }
    Type::group_type_builder("record").with_fields(fields).build()
}

impl RecordWriter {
    /// Creates `records.csv` and `records.parquet` in `dir` for rows of `columns`.
    pub fn create(dir: &Path, columns: Vec<Column>) -> Result<RecordWriter, Error> {
        let csv_path = dir.join("records.csv");
        let parquet_path = dir.join("records.parquet");
        let mut names = std::collections::BTreeSet::new();
        for c in &columns {
            if c.name.is_empty() || !names.insert(c.name.as_str()) {
                return Err(Error::usage(format!("expected unique non-empty column names, found {:?}", c.name)));
            }
            if c.ty == ColumnType::Text && c.nullable {
                return Err(Error::usage(format!("column {:?}: text columns cannot be nullable", c.name)));
            }
        }
        let csv_file = File::create(&csv_path).map_err(|e| Error::io(&csv_path, e))?;
        let mut csv = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(BufWriter::new(csv_file));
        csv.write_record(columns.iter().map(|c| c.name.as_str())).map_err(|e| csv_error(&csv_path, e))?;
        let pq_file = File::create(&parquet_path).map_err(|e| Error::io(&parquet_path, e))?;
        let schema = parquet_schema(&columns).map_err(|e| Error::invalid(&parquet_path, e.to_string()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("backchannel {}", env!("CARGO_PKG_VERSION")))
            .build();
        let parquet = SerializedFileWriter::new(BufWriter::new(pq_file), Arc::new(schema), Arc::new(props))
            .map_err(|e| Error::invalid(&parquet_path, e.to_string()))?;
        let buffers = columns
            .iter()
            .map(|c| match c.ty {
                ColumnType::Int => Buffer::Int(Vec::new()),
                ColumnType::Float => Buffer::Float(Vec::new()),
                ColumnType::Bool => Buffer::Bool(Vec::new()),
                ColumnType::Text => Buffer::Text(Vec::new()),
            })
            .collect();
        let defs = vec![Vec::new(); columns.len()];
        let text = vec![String::new(); columns.len()];
        Ok(RecordWriter { columns, csv_path, parquet_path, csv, parquet, buffers, defs, buffered: 0, rows: 0, text })
    }

    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Rows held in memory, waiting for their Parquet row group (at most [`ROW_GROUP`]).
    pub fn buffered_rows(&self) -> usize {
        self.buffered
    }

    /// Writes one row; its cells must match the columns' types (null only where nullable).
    pub fn write(&mut self, row: &[Cell]) -> Result<(), Error> {
        if row.len() != self.columns.len() {
            return Err(Error::usage(format!("expected a record of {} cells, found {}", self.columns.len(), row.len())));
        }
        for (i, (cell, col)) in row.iter().zip(&self.columns).enumerate() {
            let ok = match (cell, col.ty) {
                (Cell::Null, _) => col.nullable,
                (Cell::Int(_), ColumnType::Int) | (Cell::Float(_), ColumnType::Float) => true,
                (Cell::Bool(_), ColumnType::Bool) | (Cell::Text(_), ColumnType::Text) => true,
                _ => false,
            };
            if !ok {
                return Err(Error::usage(format!(
                    "column {:?} (cell {i}): expected a {:?}{}, found {cell:?}",
                    col.name,
                    col.ty,
                    if col.nullable { " or null" } else { "" }
                )));
            }
        }
        for (i, cell) in row.iter().enumerate() {
            let t = &mut self.text[i];
            t.clear();
            match cell {
                Cell::Null => self.defs[i].push(0),
                Cell::Int(v) => {
                    *t = v.to_string();
                    self.defs[i].push(1);
                    if let Buffer::Int(b) = &mut self.buffers[i] {
                        b.push(*v);
                    }
                }
                Cell::Float(v) => {
                    *t = float_text(*v);
                    self.defs[i].push(1);
                    if let Buffer::Float(b) = &mut self.buffers[i] {
                        b.push(*v);
                    }
                }
                Cell::Bool(v) => {
                    *t = if *v { "true".into() } else { "false".into() };
                    self.defs[i].push(1);
                    if let Buffer::Bool(b) = &mut self.buffers[i] {
                        b.push(*v);
                    }
                }
                Cell::Text(v) => {
                    t.push_str(v);
                    self.defs[i].push(1);
                    if let Buffer::Text(b) = &mut self.buffers[i] {
                        b.push(ByteArray::from(v.as_str()));
                    }
                }
            }
        }
        self.csv.write_record(&self.text).map_err(|e| csv_error(&self.csv_path, e))?;
        self.buffered += 1;
        self.rows += 1;
        if self.buffered >= ROW_GROUP {
            self.flush_group()?;
        }
        Ok(())
    }

    fn flush_group(&mut self) -> Result<(), Error> {
        if self.buffered == 0 {
            return Ok(());
        }
        let path = self.parquet_path.clone();
        let pe = |e: parquet::errors::ParquetError| Error::invalid(&path, format!("writing Parquet: {e}"));
        let mut group = self.parquet.next_row_group().map_err(pe)?;
        let mut i = 0;
        while let Some(mut col) = group.next_column().map_err(pe)? {
            let nullable = self.columns.get(i).is_some_and(|c| c.nullable);
            let defs = if nullable { Some(self.defs[i].as_slice()) } else { None };
            match &mut self.buffers[i] {
                Buffer::Int(b) => col.typed::<Int64Type>().write_batch(b, defs, None).map_err(pe)?,
                Buffer::Float(b) => col.typed::<DoubleType>().write_batch(b, defs, None).map_err(pe)?,
                Buffer::Bool(b) => col.typed::<BoolType>().write_batch(b, defs, None).map_err(pe)?,
                Buffer::Text(b) => col.typed::<ByteArrayType>().write_batch(b, defs, None).map_err(pe)?,
            };
            col.close().map_err(pe)?;
            i += 1;
        }
        group.close().map_err(pe)?;
        for b in &mut self.buffers {
            match b {
                Buffer::Int(v) => v.clear(),
                Buffer::Float(v) => v.clear(),
                Buffer::Bool(v) => v.clear(),
                Buffer::Text(v) => v.clear(),
            }
        }
        for d in &mut self.defs {
            d.clear();
        }
        self.buffered = 0;
        Ok(())
    }

    /// Writes the last row group and closes both files; returns the number of rows.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.flush_group()?;
        let path = self.parquet_path.clone();
        let mut inner = self.parquet.into_inner().map_err(|e| Error::invalid(&path, format!("closing Parquet: {e}")))?;
        inner.flush().map_err(|e| Error::io(&path, e))?;
        // On disk before the run directory is renamed into place.
        inner.get_ref().sync_all().map_err(|e| Error::io(&path, e))?;
        let mut csv = self.csv.into_inner().map_err(|e| Error::io(&self.csv_path, e.into_error()))?;
        csv.flush().map_err(|e| Error::io(&self.csv_path, e))?;
        csv.get_ref().sync_all().map_err(|e| Error::io(&self.csv_path, e))?;
        Ok(self.rows)
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::invalid(path, format!("{other:?}")),
    }
}

/// Reads `records.csv` back, row by row, as cells of `columns` (used to merge shards).
pub struct RecordReader {
    path: PathBuf,
    columns: Vec<Column>,
    reader: csv::Reader<std::io::BufReader<File>>,
    record: csv::StringRecord,
    line: u64,
}

impl RecordReader {
    /// Opens `path`, checking that its header names `columns` in order.
    pub fn open(path: &Path, columns: &[Column]) -> Result<RecordReader, Error> {
        let file = bc_io::read::open(path).map_err(|e| Error::io(path, e.into_io()))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(std::io::BufReader::new(file));
        let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        let expected: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let found: Vec<&str> = header.iter().collect();
        if expected != found {
            return Err(Error::invalid(path, format!("line 1: expected the header {expected:?} (from run.json), found {found:?}")));
        }
        Ok(RecordReader { path: path.to_path_buf(), columns: columns.to_vec(), reader, record: csv::StringRecord::new(), line: 1 })
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Vec<Cell>>, Error> {
        if !self.reader.read_record(&mut self.record).map_err(|e| csv_error(&self.path, e))? {
            return Ok(None);
        }
        self.line += 1;
        let mut row = Vec::with_capacity(self.columns.len());
        for (col, text) in self.columns.iter().zip(self.record.iter()) {
            let bad = |what: &str| {
                Error::invalid(&self.path, format!("line {}, column {:?}: expected {what}, found {text:?}", self.line, col.name))
            };
            let cell = if text.is_empty() && col.nullable {
                Cell::Null
            } else {
                match col.ty {
                    ColumnType::Int => Cell::Int(text.parse().map_err(|_| bad("an integer"))?),
                    ColumnType::Float => Cell::Float(text.parse().map_err(|_| bad("a number"))?),
                    ColumnType::Bool => match text {
                        "true" => Cell::Bool(true),
                        "false" => Cell::Bool(false),
                        _ => return Err(bad("true or false")),
                    },
                    ColumnType::Text => Cell::Text(text.to_string()),
                }
            };
            row.push(cell);
        }
        if row.len() != self.columns.len() {
            return Err(Error::invalid(
                &self.path,
                format!("line {}: expected {} cells, found {}", self.line, self.columns.len(), self.record.len()),
            ));
        }
        Ok(Some(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column::new("run", ColumnType::Int),
            Column::nullable("x", ColumnType::Float),
            Column::new("ok", ColumnType::Bool),
            Column::new("name", ColumnType::Text),
        ]
    }

    fn row(i: u64) -> Vec<Cell> {
        let x = if i.is_multiple_of(3) { Cell::Null } else { Cell::Float(i as f64 / 7.0) };
        vec![Cell::from(i), x, Cell::Bool(i.is_multiple_of(2)), Cell::Text(format!("r,\"{i}\""))]
    }

    #[test]
    fn memory_is_bounded_by_one_row_group() {
        let dir = tempdir("bounded");
        let mut w = RecordWriter::create(&dir, columns()).unwrap();
        let mut most = 0;
        for i in 0..(3 * ROW_GROUP as u64 + 5) {
            w.write(&row(i)).unwrap();
            most = most.max(w.buffered_rows());
        }
        assert!(most <= ROW_GROUP, "held {most} rows");
        assert_eq!(w.buffered_rows(), 5);
        assert_eq!(w.finish().unwrap(), 3 * ROW_GROUP as u64 + 5);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn csv_round_trips_and_rewriting_is_byte_identical() {
        let a = tempdir("rt_a");
        let b = tempdir("rt_b");
        let mut w = RecordWriter::create(&a, columns()).unwrap();
        for i in 0..1000 {
            w.write(&row(i)).unwrap();
        }
        w.finish().unwrap();
        let mut r = RecordReader::open(&a.join("records.csv"), &columns()).unwrap();
        let mut w2 = RecordWriter::create(&b, columns()).unwrap();
        let mut i = 0;
        while let Some(cells) = r.next_row().unwrap() {
            assert_eq!(cells, row(i));
            w2.write(&cells).unwrap();
            i += 1;
        }
        assert_eq!(i, 1000);
        w2.finish().unwrap();
        for f in ["records.csv", "records.parquet"] {
            assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
        }
        let pq = std::fs::read(a.join("records.parquet")).unwrap();
        assert_eq!(&pq[..4], b"PAR1");
        assert_eq!(&pq[pq.len() - 4..], b"PAR1");
        std::fs::remove_dir_all(a).unwrap();
        std::fs::remove_dir_all(b).unwrap();
    }

    #[test]
    fn wrong_cells_are_rejected() {
        let dir = tempdir("wrong");
        let mut w = RecordWriter::create(&dir, columns()).unwrap();
        let e = w.write(&[Cell::Null, Cell::Null, Cell::Bool(true), Cell::from("a")]).unwrap_err();
        assert!(e.to_string().contains("\"run\""), "{e}");
        assert!(w.write(&[Cell::Int(1)]).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    pub(crate) fn tempdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bc-report-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
