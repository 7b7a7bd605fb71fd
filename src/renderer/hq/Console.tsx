import { useEffect, useRef, useState } from 'react';
import { HqApiError } from './api';
import { followLink, navigate, useRoute, type Route } from './router';
import { loadSession, signOut, type ConsoleSession } from './session';
import { LocaleContext, useConsoleText } from './text';
import { ViewErrorBoundary } from './ViewParts';
import { VIEWS } from './views';
import type { ConsoleView } from './views/view';

/**
 * The console's frame: a skip link, the top bar (brand, the views this role
 * may open, who is signed in, the other language, sign out), then the
 * current view in <main>. Moving to another view moves the focus to its
 * heading, so a screen reader announces where it landed.
 */
export function Console() {
  const route = useRoute();
  const [session, setSession] = useState<ConsoleSession | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    loadSession().then(setSession, (error: unknown) => {
      if (!(error instanceof HqApiError && error.status === 401)) setFailure(error instanceof Error ? error.message : String(error));
    });
  }, []);

  useEffect(() => {
    document.documentElement.lang = route.lang;
  }, [route.lang]);

  const allowed = session ? VIEWS.filter((v) => session.permissions.includes(v.permission)) : [];
  useEffect(() => {
    // The console's root opens the first view this role may see.
    if (session && route.view === '' && allowed[0]) navigate({ ...route, view: allowed[0].id }, { replace: true });
  }, [session, route, allowed]);

  return (
    <LocaleContext.Provider value={route.lang}>
      {session ? <Frame session={session} route={route} allowed={allowed} /> : <Waiting failure={failure} />}
    </LocaleContext.Provider>
  );
}

function Waiting({ failure }: { failure: string | null }) {
  const t = useConsoleText();
  return (
    <main className="page" id="main">
      <h1>{t('console.brand_sub')}</h1>
      {failure === null ? (
        <p role="status">{t('console.loading')}</p>
      ) : (
        <p className="alert" role="alert">
          {t('console.error', { message: failure })}
        </p>
      )}
    </main>
  );
}

function Frame({ session, route, allowed }: { session: ConsoleSession; route: Route; allowed: ConsoleView[] }) {
  const t = useConsoleText();
  const view = VIEWS.find((v) => v.id === route.view);
  const permitted = view !== undefined && allowed.includes(view);
  const title = view ? view.title[route.lang] : route.view === '' ? t('console.brand_sub') : t('console.not_found.title');

  useEffect(() => {
    document.title = `${title} — ${t('console.title_suffix')}`;
  }, [title, t]);

  const shown = useRef<string | null>(null);
  useEffect(() => {
    // Only a move from one view to another takes the focus to the new heading: on the first load (and the
    // root's redirect to the first view) the browser starts at the top, as for any page.
    if (shown.current !== null && shown.current !== '' && shown.current !== route.view) document.querySelector<HTMLElement>('main h1')?.focus();
    shown.current = route.view;
  }, [route.view]);

  async function leave() {
    try {
      await signOut();
    } finally {
      window.location.assign(route.lang === 'en' ? '/login?lang=en' : '/login');
    }
  }

  const otherLang = route.lang === 'fr' ? 'en' : 'fr';
  return (
    <>
      <a className="skip-link" href="#main">
        {t('console.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            F
          </span>
          <div>
            <p className="brand-name">{t('console.brand')}</p>
            <p className="brand-sub">{t('console.brand_sub')}</p>
          </div>
        </div>
        <nav className="topnav" aria-label={t('console.nav')}>
          <ul>
            {allowed.map((v) => (
              <li key={v.id}>
                <a href={`/console/${v.id}${route.lang === 'en' ? '?lang=en' : ''}`} aria-current={v.id === route.view ? 'page' : undefined} onClick={(e) => followLink(e, { ...route, view: v.id })}>
                  {v.title[route.lang]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>{t('console.signed_in_as', { username: session.username, role: t(`console.role.${session.role}`) })}</span>
          <a href={`/console/${route.view}${otherLang === 'en' ? '?lang=en' : ''}`} hrefLang={otherLang} lang={otherLang} onClick={(e) => followLink(e, { ...route, lang: otherLang })}>
            {t('console.other_lang')}
          </a>
          <button type="button" className="button-quiet" onClick={() => void leave()}>
            {t('console.sign_out')}
          </button>
        </div>
      </header>
      <main className="page" id="main" tabIndex={-1}>
        {view && permitted ? (
          <ViewErrorBoundary key={view.id} title={title}>
            <view.Component />
          </ViewErrorBoundary>
        ) : view ? (
          <Notice title={t('console.forbidden.title')} body={t('console.forbidden.body', { role: t(`console.role.${session.role}`) })} />
        ) : route.view === '' ? (
          <Notice title={t('console.brand_sub')} body={allowed.length === 0 ? t('console.no_view') : t('console.loading')} />
        ) : (
          <Notice title={t('console.not_found.title')} body={t('console.not_found.body')} />
        )}
      </main>
    </>
  );
}

function Notice({ title, body }: { title: string; body: string }) {
  return (
    <div className="notice">
      <h1 tabIndex={-1}>{title}</h1>
      <p>{body}</p>
    </div>
  );
}
