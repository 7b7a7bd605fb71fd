import { NOTICE_SECTIONS } from '../../../shared/i18n/privacy';
import { useApp } from '../../common/app-context';
import { QrCode } from '../../common/QrCode';

/**
 * The privacy notice's sections (issue 17 item 7): what is done, for how
 * long, each right and how to use it, and the QR to the full notice at HQ.
 * The same keys are printed at the till and served by HQ.
 */
export function NoticeSections({ url, headingLevel = 3 }: { url: string; headingLevel?: 2 | 3 }) {
  const { t } = useApp();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="notice-sections">
      <div className="notice-grid">
        {NOTICE_SECTIONS.map((section) => (
          <section key={section} className="notice-section" aria-labelledby={`notice-${section}`}>
            <Heading id={`notice-${section}`}>{t(`privacy.notice.${section}.title`)}</Heading>
            <p>{t(`privacy.notice.${section}.body`)}</p>
          </section>
        ))}
      </div>
      <div className="privacy-more">
        <div>
          <p>{t('privacy.notice.full')}</p>
          <p className="privacy-url" data-testid="privacy-notice-url">
            {url}
          </p>
        </div>
        <QrCode className="privacy-qr" value={url} label={t('privacy.notice.qr_label')} testId="privacy-notice-qr" />
      </div>
    </div>
  );
}
