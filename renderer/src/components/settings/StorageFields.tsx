import { errorFor } from '../../state/settings-store-form';
import { Field } from './Field';
import type { FieldsProps } from './fields-props';

/** Where the data lives. */
export function DataFields({ values, errors, onChange }: FieldsProps) {
  return (
    <Field
      id="dataDir"
      label="Data folder"
      hint="An absolute folder such as /srv/medianest. Leave empty for a data folder inside the app's home. The databases, uploads and certificates live here."
      error={errorFor(errors, 'dataDir')}
    >
      {(aria) => (
        <input
          {...aria}
          type="text"
          spellCheck={false}
          placeholder="/srv/medianest"
          value={values.dataDir}
          onChange={(e) => onChange('dataDir', e.target.value)}
        />
      )}
    </Field>
  );
}

/** Which images run: the official ones, or references of the user's own (a local build, a mirror). */
export function ImageFields({ values, errors, onChange }: FieldsProps) {
  return (
    <>
      <fieldset className="choices" data-field="imageSource">
        <legend>Which images should run?</legend>
        <label className="choice">
          <input
            type="radio"
            name="imageSource"
            checked={values.imageSource === 'official'}
            onChange={() => onChange('imageSource', 'official')}
          />
          <span>
            <strong>The official images</strong>
            <span className="choice-plain">Downloaded from Docker Hub the first time.</span>
          </span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="imageSource"
            checked={values.imageSource === 'custom'}
            onChange={() => onChange('imageSource', 'custom')}
          />
          <span>
            <strong>My own images</strong>
            <span className="choice-plain">
              Images you built or loaded, or a mirror: the same as an images file for{' '}
              <code>init --images</code>.
            </span>
          </span>
        </label>
      </fieldset>
      {values.imageSource === 'custom' && (
        <Field
          id="images"
          label="Image per service"
          hint={
            <>
              One <code>service: image</code> per line, or the JSON of an images file. Services not
              named keep the official image.
            </>
          }
          error={errorFor(errors, 'images')}
        >
          {(aria) => (
            <textarea
              {...aria}
              rows={6}
              spellCheck={false}
              placeholder={
                'backend: registry.local:5000/medianest/backend:1.2\nfrontend: registry.local:5000/medianest/frontend:1.2'
              }
              value={values.images}
              onChange={(e) => onChange('images', e.target.value)}
            />
          )}
        </Field>
      )}
      <Field id="pullPolicy" label="Download images" error={errorFor(errors, 'pullPolicy')}>
        {(aria) => (
          <select
            {...aria}
            value={values.pullPolicy}
            onChange={(e) => onChange('pullPolicy', e.target.value as typeof values.pullPolicy)}
          >
            <option value="missing">When missing on this computer</option>
            <option value="always">Always check for a newer one</option>
            <option value="never">Never (they must already be here)</option>
          </select>
        )}
      </Field>
    </>
  );
}
