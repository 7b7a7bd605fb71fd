import { anomaliesView } from './AnomaliesView';
import { benefitsView } from './BenefitsView';
import { dashboardView } from './DashboardView';
import { fleetView } from './FleetView';
import { incidentsView } from './IncidentsView';
import { programmeView } from './ProgrammeView';
import { releasesView } from './ReleasesView';
import { privacyAuditView } from './PrivacyAuditView';
import { offersView } from './OffersView';
import { causesView } from './CausesView';
import type { ConsoleView } from './view';

/**
 * Every view of the console, in the navigation bar's order. To add one: a
 * file in this folder exporting a ConsoleView, and a line here
 * (docs/hq-console.md).
 */
export const VIEWS: readonly ConsoleView[] = [fleetView, dashboardView, anomaliesView, incidentsView, releasesView, programmeView, offersView, benefitsView, causesView, privacyAuditView];
