// Shared with the webviews: no Node or DOM APIs, no imports.

/** Where a run comes from: MLTrail's own store, or another tracker's files read in place (never written). */
export type RunSource = 'mltrail' | ExternalSourceKind;
export type ExternalSourceKind = 'mlflow' | 'dvclive';

export const RUN_SOURCES: readonly RunSource[] = ['mltrail', 'mlflow', 'dvclive'];
