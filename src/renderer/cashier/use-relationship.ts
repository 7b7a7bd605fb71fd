import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload, RelationshipView } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';

export interface RelationshipState {
  relationship: RelationshipView | null;
  error: unknown;
  reload(): void;
}

/**
 * The member's relationship health, open incidents and goodwill budget, read
 * again whenever an incident of theirs changes (here, on the customer screen's
 * survey) or points move; a reply older than the latest ask is dropped.
 */
export function useRelationship(memberId: string): RelationshipState {
  const { api } = useApp();
  const [relationship, setRelationship] = useState<RelationshipView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ticket = useRef(0);

  const reload = useCallback(() => {
    const mine = ++ticket.current;
    api.call('member.relationship', { memberId }).then(
      (value) => {
        if (mine !== ticket.current) return;
        setRelationship(value);
        setError(null);
      },
      (failure: unknown) => {
        if (mine === ticket.current) setError(failure);
      },
    );
  }, [api, memberId]);

  useEffect(() => {
    setRelationship(null);
    reload();
  }, [reload]);

  const onChanged = useCallback(
    // Another member's gesture spends the same budget: any change is read again.
    (_changed: EventPayload<'incident.changed'>) => reload(),
    [reload],
  );
  useEvent('incident.changed', onChanged);
  const onMoved = useCallback(
    (moved: EventPayload<'points.moved'>) => {
      if (moved.memberId === memberId) reload();
    },
    [memberId, reload],
  );
  useEvent('points.moved', onMoved);

  return { relationship, error, reload };
}
