/** The console's entry: the API key form, and the panels wired to one client of the service. */
import './styles.css';
import type { MamlClient } from '../../clients/typescript/client.ts';
import { capabilities, connect, storedKey, storeKey } from './api.ts';
import { byId, say } from './dom.ts';
import { JobList } from './job-list.ts';
import { JobWatch } from './job-watch.ts';
import { ModelPicker } from './models.ts';
import { QueryPanel } from './query.ts';
import { SupportSet } from './support-set.ts';
import { TrainingForm } from './training-form.ts';

let client: MamlClient | null = null;
const currentClient = () => client;

const keyForm = byId('key-form', HTMLFormElement);
const keyInput = byId('key', HTMLInputElement);
const keyStatus = byId('key-status', HTMLParagraphElement);

const query = new QueryPanel(currentClient);
const support = new SupportSet(currentClient, (session) => query.useSession(session));
const models = new ModelPicker((model) => {
  support.useModel(model);
  query.useSession(null);
});
const watch = new JobWatch(currentClient, () => void jobs.load());
const jobs: JobList = new JobList(currentClient, {
  watch: (jobId) => void watch.watch(jobId),
  promoted: () => void (client && models.load(client)),
});
const trainingForm = new TrainingForm(currentClient, (jobId) => {
  void jobs.load();
  void watch.watch(jobId);
});
// What the service can train with (public: no key needed); the form keeps its default until then.
void capabilities()
  .then((kinds) => trainingForm.showAlgorithms(kinds.algorithms.map((a) => a.name)))
  .catch(() => undefined);

async function useKey(key: string): Promise<void> {
  storeKey(key);
  client = connect(key);
  say(keyStatus, `Using key ${key.slice(0, 10)}… for this tab (kept in session storage until the tab closes).`, 'ok');
  await Promise.all([models.load(client), jobs.load()]);
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  keyInput.value = '';
  if (key) void useKey(key);
});

byId('forget-key', HTMLButtonElement).addEventListener('click', () => {
  storeKey(null);
  client = null;
  watch.stop();
  query.useSession(null);
  say(keyStatus, 'Key forgotten. Enter a key to use the console.');
  keyInput.focus();
});

const saved = storedKey();
if (saved) void useKey(saved);
else say(keyStatus, 'Enter an API key (admin or client) to start.');
