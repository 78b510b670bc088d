import type { DuckDBConnection } from '@duckdb/node-api';
import type { Catalog, CatalogRelation } from './completer.js';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
}

/** A table or view with its columns and CREATE statement, for `.schema` and completion. */
export interface RelationDefinition {
  readonly schema: string | null;
  readonly name: string;
  readonly kind: 'table' | 'view';
  readonly sql: string;
  readonly columns: readonly ColumnDefinition[];
}

/**
 * User tables and views of the store (every schema) and of the session's temporary catalog;
 * DuckDB's own system views are left out. `main` and `temp` objects need no schema qualifier.
 */
const RELATIONS_SQL = `
with relations as (
  select database_name, schema_name, table_name as name, 'table' as kind, sql
  from duckdb_tables()
  where not internal
  union all
  select database_name, schema_name, view_name, 'view', sql
  from duckdb_views()
  where not internal
)
select
  case when schema_name = 'main' then null else schema_name end as schema,
  name,
  kind,
  sql
from relations
where database_name in (current_database(), 'temp')
order by kind, schema nulls first, name`;

const COLUMNS_SQL = `
select
  case when schema_name = 'main' then null else schema_name end as schema,
  table_name as name,
  column_name,
  data_type
from duckdb_columns()
where not internal
  and database_name in (current_database(), 'temp')
order by schema nulls first, name, column_index`;

/** Reads the tables and views with their columns and CREATE statements. */
export async function readRelationDefinitions(connection: DuckDBConnection): Promise<RelationDefinition[]> {
  const columnRows = (await connection.runAndReadAll(COLUMNS_SQL)).getRowObjectsJson();
  const columns = new Map<string, ColumnDefinition[]>();
  const keyOf = (schema: unknown, name: unknown): string => `${schema ?? ''}\u0000${String(name)}`;
  for (const row of columnRows) {
    const key = keyOf(row.schema, row.name);
    const list = columns.get(key) ?? [];
    list.push({ name: String(row.column_name), type: String(row.data_type) });
    columns.set(key, list);
  }
  const reader = await connection.runAndReadAll(RELATIONS_SQL);
  return reader.getRowObjectsJson().map((row) => ({
    schema: row.schema === null ? null : String(row.schema),
    name: String(row.name),
    kind: row.kind === 'view' ? 'view' : 'table',
    sql: String(row.sql ?? ''),
    columns: columns.get(keyOf(row.schema, row.name)) ?? [],
  }));
}

/** Reads what tab completion needs: relations, their columns and DuckDB's keywords. */
export async function readCatalog(connection: DuckDBConnection): Promise<Catalog> {
  const definitions = await readRelationDefinitions(connection);
  const relations: CatalogRelation[] = definitions.map((d) => ({
    schema: d.schema,
    name: d.name,
    kind: d.kind,
    columns: d.columns.map((c) => c.name),
  }));
  const keywordRows = (
    await connection.runAndReadAll('select keyword_name from duckdb_keywords() order by keyword_name')
  ).getRows();
  const keywords = keywordRows.map((row) => String(row[0]).toLowerCase());
  return { relations, keywords };
}
