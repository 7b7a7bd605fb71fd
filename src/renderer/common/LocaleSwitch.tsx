import { LOCALES } from '../../shared/i18n/i18n';
import { useApp } from './app-context';

export function LocaleSwitch() {
  const { locale, setLocale, t } = useApp();
  return (
    <div className="locale-switch" role="group" aria-label={t('locale.switch')}>
      {LOCALES.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === locale} onClick={() => setLocale(l)}>
          {t(`locale.${l}`)}
        </button>
      ))}
    </div>
  );
}
