/** Injection token of the resolved (defaults merged) module options. */
export const CAMPAIGN_OPTIONS = Symbol('CAMPAIGN_OPTIONS');
/** Injection token of the TypeORM DataSource the module writes to. */
export const CAMPAIGN_DATA_SOURCE = Symbol('CAMPAIGN_DATA_SOURCE');
