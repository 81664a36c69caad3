import type { Session } from '../auth/session';
import { PanelHeader } from '../layout/PanelHeader';
import { DeleteAccountSection, EmailSection, ExportSection, PasswordSection, StorageSection } from './AccountSection';
import { BlockedSection } from './BlockedSection';
import { DevicesSection } from './DevicesSection';
import { NotificationsSection } from './NotificationsSection';
import { PrivacySection } from './PrivacySection';
import { ProfileSection } from './ProfileSection';

/** Settings, from the sidebar: my profile, my privacy, notifications, my devices, my password and whom I blocked. */
export function SettingsPanel(props: { session: Session; onClose: () => void }) {
  return (
    <section class="panel settings" data-testid="settings-panel">
      <PanelHeader title="Settings" onBack={props.onClose} />
      <div class="settings-body">
        <ProfileSection session={props.session} />
        <PrivacySection />
        <NotificationsSection session={props.session} />
        <DevicesSection />
        <PasswordSection />
        <EmailSection />
        <BlockedSection />
        <StorageSection />
        <ExportSection />
        <DeleteAccountSection />
      </div>
    </section>
  );
}
