import { datasetRecordsFile, readDatasetRecords } from '../datasets/datasetRecords.ts';
import { isValidDatasetName } from '../datasets/datasetConfig.ts';

/** The newest recorded version of a dataset; undefined when it has none (or its name cannot be a records file). */
export function latestDatasetVersion(storeDir: string, dataset: string): number | undefined {
  if (!isValidDatasetName(dataset)) return undefined;
  return readDatasetRecords(datasetRecordsFile(storeDir, dataset)).records.at(-1)?.version;
}
