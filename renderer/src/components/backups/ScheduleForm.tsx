import type { FormEvent } from 'react';
import type { ApiClient } from '@contract';
import { useBackupsStore } from '../../state/backups-store';
import { useFields } from '../../state/use-fields';
import { Choice } from '../ui/Choice';
import { InputField } from '../ui/InputField';
import { FormFooter } from '../ui/FormFooter';
import { SelectField } from '../ui/SelectField';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** The schedule's weekday numbers: 0 is Sunday. */
const WEEKDAYS = DAYS.map((day, index) => ({ value: String(index), label: day }));

/** When backups run by themselves and how many are kept. */
export function ScheduleForm({ client }: { client: ApiClient }) {
  const { schedule, scheduleErrors, scheduleSaved, setSchedule, saveSchedule } = useFields(
    useBackupsStore,
    ['schedule', 'scheduleErrors', 'scheduleSaved', 'setSchedule', 'saveSchedule'],
  );
  if (!schedule) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void saveSchedule(client);
  };
  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule and how many to keep</h2>
      <form onSubmit={submit} noValidate>
        <Choice
          type="checkbox"
          checked={schedule.dailyEnabled}
          onChange={(e) => setSchedule('dailyEnabled', e.target.checked)}
          title="Every day"
        />
        <div className="field-row">
          <InputField
            id="daily.time"
            label="Daily at (24-hour)"
            error={scheduleErrors['daily.time']}
            value={schedule.dailyTime}
            onValue={(value) => setSchedule('dailyTime', value)}
          />
          <InputField
            id="retention.daily"
            label="Daily backups kept"
            error={scheduleErrors['retention.daily']}
            inputMode="numeric"
            value={schedule.keepDaily}
            onValue={(value) => setSchedule('keepDaily', value)}
          />
        </div>
        <Choice
          type="checkbox"
          checked={schedule.weeklyEnabled}
          onChange={(e) => setSchedule('weeklyEnabled', e.target.checked)}
          title="Every week"
        />
        <div className="field-row">
          <SelectField
            id="weekly.weekday"
            label="On"
            error={scheduleErrors['weekly.weekday']}
            value={schedule.weeklyDay}
            options={WEEKDAYS}
            onValue={(day) => setSchedule('weeklyDay', day)}
          />
          <InputField
            id="weekly.time"
            label="At (24-hour)"
            error={scheduleErrors['weekly.time']}
            value={schedule.weeklyTime}
            onValue={(value) => setSchedule('weeklyTime', value)}
          />
          <InputField
            id="retention.weekly"
            label="Weekly backups kept"
            error={scheduleErrors['retention.weekly']}
            inputMode="numeric"
            value={schedule.keepWeekly}
            onValue={(value) => setSchedule('keepWeekly', value)}
          />
        </div>
        <FormFooter
          error={scheduleErrors['(schedule)']}
          saved={scheduleSaved}
          submit="Save the schedule"
        />
      </form>
    </section>
  );
}
