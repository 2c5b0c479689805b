import { useId, useState, type FormEvent } from 'react';
import { setApiKey } from '../api/apiKey';

/** Shown after a 401: stores the key (localStorage) and every view asks again with it. */
export function ApiKeyForm() {
  const [value, setValue] = useState('');
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) setApiKey(value);
  };
  return (
    <form className="api-key-form" data-testid="api-key-form" onSubmit={submit}>
      <h2>An API key is needed</h2>
      <p>
        The gateway answered 401: this dashboard needs an API key of your workspace. Ask your workspace's admin for one,
        or open the dashboard with <code>#key=&lt;key&gt;</code> in its address.
      </p>
      <label htmlFor={id}>API key</label>
      <input id={id} type="password" autoComplete="off" value={value} onChange={(event) => setValue(event.target.value)} autoFocus />
      <button type="submit">Use this key</button>
    </form>
  );
}
