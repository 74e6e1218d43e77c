/**
 * Values of the `mltrail.storeState` context key, which package.json's welcome content and command enablement
 * test: no store in any folder, a store (runs not known to be absent), or stores that hold no runs.
 */
export const STORE_STATES = ['none', 'store', 'empty'] as const;
export type StoreState = (typeof STORE_STATES)[number];
