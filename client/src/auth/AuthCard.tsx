import type { JSX } from 'solid-js';

/** The centred card every signed-out screen sits in. */
export function AuthCard(props: { title: string; subtitle?: string; children: JSX.Element; footer?: JSX.Element }) {
  return (
    <div class="auth-screen">
      <div class="auth-brand">
        <span class="auth-logo" aria-hidden="true">
          J
        </span>
        <span>Jeco</span>
      </div>
      <main class="auth-card">
        <h1>{props.title}</h1>
        {props.subtitle && <p class="auth-subtitle">{props.subtitle}</p>}
        {props.children}
      </main>
      {props.footer && <p class="auth-footer">{props.footer}</p>}
    </div>
  );
}
