/** The table files MLTrail reads, by extension: small on its own so that naming them loads no reader. */
export const TABLE_FORMATS = ['.csv', '.tsv', '.tab', '.jsonl', '.ndjson', '.parquet', '.pq'];
