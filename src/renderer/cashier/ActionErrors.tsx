import type { Ref } from 'react';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';

/** A refused action's reasons, one paragraph each, announced as an alert. */
export function ActionErrors({ error, innerRef }: { error: unknown; innerRef?: Ref<HTMLDivElement> }) {
  const { t } = useApp();
  if (error === null) return null;
  return (
    <div ref={innerRef} className="action-error" role="alert">
      {errorText(error, t).map((text) => (
        <p key={text}>{text}</p>
      ))}
    </div>
  );
}
