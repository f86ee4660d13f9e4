import type pg from 'pg';
import type { PostgresSource } from './postgres-uri.ts';
import type { ColumnPlan } from './postgres-types.ts';
/**
 * How a large table is read in parallel. Several connections share one snapshot and each copies ranges
 * of the table's pages; the ranges are loaded into DuckDB in order while later ones are still copied.
 * `readers` counts the connections (the staging one included), `minPartPages` the fewest 8 kB pages in
 * one range, so a small table is read in one stream as before. Tests lower them to exercise the path.
 */
export declare const parallelReads: {
    readers: number;
    partsPerReader: number;
    minPartPages: number;
};
/** A range of the table's pages: [from, to), the last one open-ended so rows past the planned size are read too. */
export interface PageRange {
    from: number;
    to?: number;
}
/** The whole extract of one source, range by range: `done(i)` resolves when range i is on disk. */
export interface RangeCopy {
    paths: string[];
    done: (index: number) => Promise<void>;
    all: Promise<void>;
    rows: () => number;
    stop: () => void;
}
/**
 * The page ranges of a plain table big enough to read in parallel, or undefined: a query, a view, a
 * partitioned or small table, a sample, or a server before Postgres 14 (which has no TID range scan, so
 * every range would read the whole table) is read in one stream.
 */
export declare function planRanges(client: pg.Client, source: PostgresSource, sampleRows: number | undefined): Promise<PageRange[] | undefined>;
/** The exported snapshot of the staging transaction, for the other readers to share. */
export declare function exportSnapshot(client: pg.Client): Promise<string>;
/** Puts a further reader into the staging transaction's snapshot: it sees exactly the rows the first one sees. */
export declare function joinSnapshot(client: pg.Client, snapshot: string, settings: string): Promise<void>;
/**
 * Copies every range into its own CSV file, each reader taking the next range when it finishes one, so
 * the early ranges are ready first. The first failure stops every reader and rejects `all`.
 */
export declare function copyRanges(readers: pg.Client[], source: PostgresSource, plans: ColumnPlan[], ranges: PageRange[], dir: string, alias: string): RangeCopy;
/** Deletes a loaded range's file: the extract never needs the disk space of the whole table twice. */
export declare function dropPart(path: string): Promise<void>;
