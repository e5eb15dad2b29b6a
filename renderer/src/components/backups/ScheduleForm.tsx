import type { FormEvent } from 'react';
import type { ApiClient } from '../../../../server/src/contract/index.js';
import { useBackupsStore } from '../../state/backups-store';
import { Field } from '../ui/Field';
import { FormFooter } from '../ui/FormFooter';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** When backups run by themselves and how many are kept. */
export function ScheduleForm({ client }: { client: ApiClient }) {
  const schedule = useBackupsStore((s) => s.schedule);
  const errors = useBackupsStore((s) => s.scheduleErrors);
  const saved = useBackupsStore((s) => s.scheduleSaved);
  const setSchedule = useBackupsStore((s) => s.setSchedule);
  const saveSchedule = useBackupsStore((s) => s.saveSchedule);
  if (!schedule) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void saveSchedule(client);
  };
  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule and how many to keep</h2>
      <form onSubmit={submit} noValidate>
        <label className="choice">
          <input
            type="checkbox"
            checked={schedule.dailyEnabled}
            onChange={(e) => setSchedule('dailyEnabled', e.target.checked)}
          />
          <span>
            <strong>Every day</strong>
          </span>
        </label>
        <div className="field-row">
          <Field id="daily.time" label="Daily at (24-hour)" error={errors['daily.time']}>
            {(aria) => (
              <input
                {...aria}
                value={schedule.dailyTime}
                onChange={(e) => setSchedule('dailyTime', e.target.value)}
              />
            )}
          </Field>
          <Field id="retention.daily" label="Daily backups kept" error={errors['retention.daily']}>
            {(aria) => (
              <input
                {...aria}
                inputMode="numeric"
                value={schedule.keepDaily}
                onChange={(e) => setSchedule('keepDaily', e.target.value)}
              />
            )}
          </Field>
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={schedule.weeklyEnabled}
            onChange={(e) => setSchedule('weeklyEnabled', e.target.checked)}
          />
          <span>
            <strong>Every week</strong>
          </span>
        </label>
        <div className="field-row">
          <Field id="weekly.weekday" label="On" error={errors['weekly.weekday']}>
            {(aria) => (
              <select
                {...aria}
                value={schedule.weeklyDay}
                onChange={(e) => setSchedule('weeklyDay', e.target.value)}
              >
                {DAYS.map((day, index) => (
                  <option key={day} value={String(index)}>
                    {day}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="weekly.time" label="At (24-hour)" error={errors['weekly.time']}>
            {(aria) => (
              <input
                {...aria}
                value={schedule.weeklyTime}
                onChange={(e) => setSchedule('weeklyTime', e.target.value)}
              />
            )}
          </Field>
          <Field
            id="retention.weekly"
            label="Weekly backups kept"
            error={errors['retention.weekly']}
          >
            {(aria) => (
              <input
                {...aria}
                inputMode="numeric"
                value={schedule.keepWeekly}
                onChange={(e) => setSchedule('keepWeekly', e.target.value)}
              />
            )}
          </Field>
        </div>
        <FormFooter error={errors['(schedule)']} saved={saved} submit="Save the schedule" />
      </form>
    </section>
  );
}
