/**
 * Typed access to one raw row's columns. A missing column or a value of the wrong type is a
 * DataError naming the file, the line or row, and the column.
 */
import { DataError } from "../errors.js";
import type { RawRow } from "./rows.js";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

export class Fields {
  private readonly record: Record<string, unknown>;

  constructor(
    readonly row: RawRow,
    /** Named in the hint, e.g. "an MBPP file (mbpp.jsonl)". */
    private readonly expected: string,
  ) {
    if (typeof row.value !== "object" || row.value === null || Array.isArray(row.value)) {
      throw new DataError(row.file, row.location, `expected an object with named columns, got ${describe(row.value)}`, { hint: `is this ${expected}?` });
    }
    this.record = row.value as Record<string, unknown>;
  }

  has(column: string): boolean {
    return this.record[column] !== undefined && this.record[column] !== null;
  }

  /** The raw value, or undefined when absent. */
  raw(column: string): unknown {
    return this.record[column] ?? undefined;
  }

  /** Throws the DataError for a column whose value is wrong in a way only the adapter knows. */
  fail(column: string, detail: string): never {
    throw new DataError(this.row.file, this.row.location, `column '${column}': ${detail}`, { hint: `is this ${this.expected}?` });
  }

  private need(column: string): unknown {
    if (!(column in this.record)) this.fail(column, `missing (the row has: ${Object.keys(this.record).join(", ")})`);
    return this.record[column];
  }

  str(column: string): string {
    const value = this.need(column);
    if (typeof value !== "string") this.fail(column, `expected a string, got ${describe(value)}`);
    return value;
  }

  optStr(column: string): string | undefined {
    const value = this.record[column];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") this.fail(column, `expected a string, got ${describe(value)}`);
    return value;
  }

  num(column: string): number {
    const value = this.need(column);
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(column, `expected a number, got ${describe(value)}`);
    return value;
  }

  optNum(column: string): number | undefined {
    return this.has(column) ? this.num(column) : undefined;
  }

  /** A string, or a number written as one (ids are ints in some files and strings in others). */
  id(column: string): string {
    const value = this.need(column);
    if (typeof value === "string" && value !== "") return value;
    if (typeof value === "number" && Number.isInteger(value)) return String(value);
    this.fail(column, `expected an id (string or integer), got ${describe(value)}`);
  }

  strList(column: string): string[] {
    const value = this.need(column);
    if (!Array.isArray(value)) this.fail(column, `expected a list of strings, got ${describe(value)}`);
    value.forEach((item, i) => {
      if (typeof item !== "string") this.fail(column, `item ${i}: expected a string, got ${describe(item)}`);
    });
    return value as string[];
  }

  list(column: string): unknown[] {
    const value = this.need(column);
    if (!Array.isArray(value)) this.fail(column, `expected a list, got ${describe(value)}`);
    return value;
  }

  /** A list of objects (Parquet list-of-struct columns). */
  objList(column: string): Record<string, unknown>[] {
    const value = this.need(column);
    if (!Array.isArray(value)) this.fail(column, `expected a list of objects, got ${describe(value)}`);
    value.forEach((item, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) this.fail(column, `item ${i}: expected an object, got ${describe(item)}`);
    });
    return value as Record<string, unknown>[];
  }

  obj(column: string): Record<string, unknown> {
    const value = this.need(column);
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(column, `expected an object, got ${describe(value)}`);
    return value as Record<string, unknown>;
  }
}
