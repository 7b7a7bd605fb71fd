import { ViewHeader } from '../ViewParts';
import { useRoute } from '../router';
import { viewText } from '../text';
import type { ConsoleView } from './view';

const useText = viewText(
  {
    'incidents.title': 'Incidents clients',
    'incidents.body': 'Le rapport des incidents clients (par type, issues, satisfaction) reste pour l’instant une page du siège.',
    'incidents.open': 'Ouvrir le rapport des incidents clients',
  },
  {
    'incidents.title': 'Customer incidents',
    'incidents.body': 'The customer-incident report (by kind, outcomes, satisfaction) is still an HQ page for now.',
    'incidents.open': 'Open the customer-incident report',
  },
);

/** A way to today's server-rendered report (/incidents, src/hq/incidents-page.ts) until it becomes a view of its own. */
function IncidentsPage() {
  const t = useText();
  const route = useRoute();
  return (
    <>
      <ViewHeader title={t('incidents.title')} />
      <p>{t('incidents.body')}</p>
      <p>
        <a className="button-link" href={route.lang === 'en' ? '/incidents?lang=en' : '/incidents'}>
          {t('incidents.open')}
        </a>
      </p>
    </>
  );
}

export const incidentsView: ConsoleView = { id: 'incidents', permission: 'incidents', title: { fr: 'Incidents clients', en: 'Customer incidents' }, Component: IncidentsPage };
