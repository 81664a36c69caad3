import { createResource, createSignal, For, Show } from 'solid-js';
import type { PrivacyResponse } from '#schema/api/people';
import type { Audience, GroupAdders, PrivacySettings } from '#schema/privacy';
import { apiRequest } from '../api/apiRequest';
import { messageOf } from './messageOf';

const AUDIENCE_LABELS: Record<Audience, string> = { everyone: 'Everyone', contacts: 'My contacts', nobody: 'Nobody' };
const GROUP_ADDER_LABELS: Record<GroupAdders, string> = { everyone: 'Everyone', contacts: 'My contacts' };

/**
 * Who sees my last seen and online, my photo and about, whether my DMs show read
 * receipts, and who may add me to groups. The server enforces each; this only asks it.
 */
export function PrivacySection() {
  const [settings, { mutate }] = createResource(() => apiRequest<PrivacyResponse>('GET', '/me/privacy').then((r) => r.privacy));
  const [note, setNote] = createSignal<{ text: string; error?: boolean }>();
  async function change(patch: Partial<PrivacySettings>) {
    try {
      const { privacy } = await apiRequest<PrivacyResponse>('PATCH', '/me/privacy', patch);
      mutate(privacy);
      setNote({ text: 'Saved.' });
    } catch (error) {
      setNote({ text: messageOf(error), error: true });
    }
  }
  const row = (props: { title: string; sub: string; testid: string; value: () => string; options: Record<string, string>; onChange: (value: string) => void }) => (
    <li class="settings-row">
      <label class="settings-row-text" for={props.testid}>
        <span class="settings-row-title settings-row-wrap">{props.title}</span>
        <span class="settings-row-sub settings-row-wrap">{props.sub}</span>
      </label>
      <select id={props.testid} class="settings-select" onChange={(e) => props.onChange(e.currentTarget.value)} data-testid={props.testid}>
        <For each={Object.entries(props.options)}>
          {([value, label]) => (
            <option value={value} selected={props.value() === value}>
              {label}
            </option>
          )}
        </For>
      </select>
    </li>
  );
  return (
    <section class="settings-section" data-testid="settings-privacy">
      <h3>Privacy</h3>
      <Show when={settings()} fallback={<p class="panel-note panel-note-inline">{settings.error ? 'Privacy settings show when you are online.' : 'Loading…'}</p>}>
        {(current) => (
          <>
            <ul class="settings-list">
              {row({
                title: 'Last seen and online',
                sub: 'Also online and typing. Groups show them only with Everyone.',
                testid: 'privacy-last-seen',
                value: () => current().lastSeen,
                options: AUDIENCE_LABELS,
                onChange: (value) => void change({ lastSeen: value as Audience }),
              })}
              {row({
                title: 'Photo and about',
                sub: 'Who sees your profile photo and about line.',
                testid: 'privacy-profile',
                value: () => current().profile,
                options: AUDIENCE_LABELS,
                onChange: (value) => void change({ profile: value as Audience }),
              })}
              <li class="settings-row">
                <label class="settings-row-text" for="privacy-read-receipts">
                  <span class="settings-row-title settings-row-wrap">Read receipts</span>
                  <span class="settings-row-sub settings-row-wrap">Off: in one-to-one chats neither of you sees when the other has read. Groups always show them.</span>
                </label>
                <input
                  id="privacy-read-receipts"
                  type="checkbox"
                  class="settings-switch"
                  checked={current().readReceipts}
                  onChange={(e) => void change({ readReceipts: e.currentTarget.checked })}
                  data-testid="privacy-read-receipts"
                />
              </li>
              {row({
                title: 'Groups',
                sub: 'Who can add you to groups.',
                testid: 'privacy-group-add',
                value: () => current().groupAdd,
                options: GROUP_ADDER_LABELS,
                onChange: (value) => void change({ groupAdd: value as GroupAdders }),
              })}
            </ul>
            <Show when={note()}>
              {(n) => (
                <span classList={{ 'settings-note': true, 'panel-error': !!n().error }} data-testid="privacy-note">
                  {n().text}
                </span>
              )}
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
