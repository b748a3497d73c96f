/** Injection token of the dashboard's `DashboardAssets` (present only with the `dashboard` option). */
export const CAMPAIGN_DASHBOARD_ASSETS = Symbol('CAMPAIGN_DASHBOARD_ASSETS');
