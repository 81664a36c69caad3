import { Icon } from '../layout/icons';

export const PencilIcon = () => (
  <Icon>
    <path d="M4 20h4L19 9l-4-4L4 16v4Z" />
    <path d="m13.5 6.5 4 4" />
  </Icon>
);

export const AddPersonIcon = () => (
  <Icon>
    <circle cx="10" cy="8" r="3.5" />
    <path d="M3.5 20c.6-3.4 3.1-5.5 6.5-5.5 1.4 0 2.6.3 3.6.9" />
    <path d="M18 14v6M15 17h6" />
  </Icon>
);

export const ExitIcon = () => (
  <Icon>
    <path d="M10 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h4" />
    <path d="M15 16l4-4-4-4M19 12H9" />
  </Icon>
);

export const LinkIcon = () => (
  <Icon>
    <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" />
    <path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" />
  </Icon>
);
